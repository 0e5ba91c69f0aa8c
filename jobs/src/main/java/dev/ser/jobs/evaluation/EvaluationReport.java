package dev.ser.jobs.evaluation;

import dev.ser.pipeline.metrics.ClassificationMetrics;
import java.util.Map;

/**
 * {@code report.html}: an {@link EvaluationResult} as tables a person reads, with the
 * confusion-matrix images, in one self-contained page (images beside it).
 */
public final class EvaluationReport {
    private EvaluationReport() {}

    static String html(EvaluationResult result) {
        StringBuilder h = new StringBuilder();
        h.append(
                        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ser evaluation ")
                .append(esc(result.runId()))
                .append("</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}")
                .append(
                        "table{border-collapse:collapse;margin:.6em 0 1.2em}td,th{border:1px solid #bbb;padding:.3em .6em;")
                .append(
                        "text-align:right}th{background:#eef}td:first-child,th:first-child{text-align:left}")
                .append(
                        ".warn{background:#fee;border:1px solid #c00;padding:.6em;font-weight:bold}")
                .append("img{border:1px solid #ccc;margin:.5em 0}</style></head><body>\n");
        h.append("<h1>Speech emotion evaluation</h1>\n<p>Run <code>")
                .append(esc(result.runId()))
                .append(
                        "</code>. WA = accuracy; UA = unweighted average recall (balanced accuracy); macro F1; ")
                .append("definitions as scikit-learn's. Folds are speaker-independent.</p>\n");
        h.append(
                "<h2>Models</h2>\n<table><tr><th>name</th><th>SHA-256</th><th>folds</th><th>source</th></tr>\n");
        boolean untrained = false;
        for (EvaluationResult.ModelUsed m : result.models()) {
            untrained |= !m.trained();
            h.append("<tr><td>")
                    .append(esc(m.name()))
                    .append("</td><td><code>")
                    .append(esc(m.sha256().substring(0, 16)))
                    .append("…</code></td><td>")
                    .append(esc(m.folds().toString()))
                    .append("</td><td>")
                    .append(esc(m.source()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (untrained) {
            h.append(
                            "<p class=\"warn\">An UNTRAINED model made these predictions: the figures below measure nothing ")
                    .append("but the pipeline.</p>\n");
        }
        for (EvaluationResult.ModelUsed m : result.models()) {
            if (!m.frontEndDiffersFromTraining().isEmpty()) {
                h.append("<p class=\"warn\">Model ")
                        .append(esc(m.name()))
                        .append(" was trained on windows cut with other settings than this run's: ")
                        .append(esc(String.join("; ", m.frontEndDiffersFromTraining())))
                        .append("</p>\n");
            }
        }
        result.corpora().forEach((name, c) -> corpus(h, name, c));
        // Marks the page once every image has loaded, so a headless browser check can tell.
        h.append("<script>window.addEventListener('load',()=>{const i=[...document.images];")
                .append(
                        "document.body.dataset.imagesLoaded=i.filter(x=>x.complete&&x.naturalWidth>0).length+'/'+i.length;});")
                .append("</script>\n</body></html>\n");
        return h.toString();
    }

    private static void corpus(StringBuilder h, String name, EvaluationResult.CorpusResult c) {
        EvaluationResult.Clips clips = c.clips();
        h.append("<h2>")
                .append(esc(name))
                .append("</h2>\n<p>Root <code>")
                .append(esc(c.root()))
                .append("</code>; reader options ")
                .append(esc(String.valueOf(c.readerOptions())))
                .append("; ")
                .append(c.folds())
                .append(" folds.</p>\n");
        h.append(
                        "<table><tr><th>clips</th><th>in the 4 classes</th><th>scored</th><th>excluded by label</th>")
                .append("<th>not scored</th></tr><tr><td>")
                .append(clips.total())
                .append("</td><td>")
                .append(clips.used())
                .append("</td><td>")
                .append(clips.scored())
                .append("</td><td>")
                .append(esc(String.valueOf(clips.excludedByLabel())))
                .append("</td><td>")
                .append(esc(String.valueOf(clips.notScoredByStatus())))
                .append("</td></tr></table>\n");
        EvaluationResult.OverFolds over = c.overFolds();
        EvaluationResult.Metrics pooled = c.pooled();
        h.append(
                        "<table><tr><th></th><th>WA</th><th>UA</th><th>macro F1</th></tr>\n<tr><td>mean ± std over folds</td>")
                .append(spread(over.wa()))
                .append(spread(over.ua()))
                .append(spread(over.macroF1()))
                .append("</tr>\n<tr><td>pooled (all folds)</td><td>")
                .append(num(pooled.wa()))
                .append("</td><td>")
                .append(num(pooled.ua()))
                .append("</td><td>")
                .append(num(pooled.macroF1()))
                .append("</td></tr></table>\n");
        h.append(
                        "<table><tr><th>class (pooled)</th><th>precision</th><th>recall</th><th>F1</th><th>support</th>")
                .append(
                        "<th>share of truth</th><th>share of predictions</th><th>F1 over folds</th></tr>\n");
        for (Map.Entry<String, ClassificationMetrics.PerClass> pc : pooled.perClass().entrySet()) {
            ClassificationMetrics.PerClass v = pc.getValue();
            h.append("<tr><td>")
                    .append(esc(pc.getKey()))
                    .append("</td><td>")
                    .append(num(v.precision()))
                    .append("</td><td>")
                    .append(num(v.recall()))
                    .append("</td><td>")
                    .append(num(v.f1()))
                    .append("</td><td>")
                    .append(v.support())
                    .append("</td><td>")
                    .append(num(c.classShares().truth().getOrDefault(pc.getKey(), Double.NaN)))
                    .append("</td><td>")
                    .append(num(c.classShares().predicted().getOrDefault(pc.getKey(), Double.NaN)))
                    .append("</td>")
                    .append(
                            over.perClassF1().containsKey(pc.getKey())
                                    ? spread(over.perClassF1().get(pc.getKey()))
                                    : "<td>–</td>")
                    .append("</tr>\n");
        }
        h.append(
                        "</table>\n<table><tr><th>fold</th><th>clips</th><th>WA</th><th>UA</th><th>macro F1</th>")
                .append("<th>test speakers</th></tr>\n");
        for (EvaluationResult.Metrics f : c.perFold()) {
            h.append("<tr><td>")
                    .append(f.fold())
                    .append("</td><td>")
                    .append(f.n())
                    .append("</td><td>")
                    .append(num(f.wa()))
                    .append("</td><td>")
                    .append(num(f.ua()))
                    .append("</td><td>")
                    .append(num(f.macroF1()))
                    .append("</td><td>")
                    .append(esc(String.valueOf(c.foldSpeakers().get(f.fold()))))
                    .append("</td></tr>\n");
        }
        EvaluationResult.Arousal a = c.arousal();
        long[][] ac = a.confusion();
        h.append("</table>\n<h3>Arousal (high: anger, happiness; low: neutral, sadness)</h3>\n")
                .append(
                        "<table><tr><th>true \\ predicted</th><th>high</th><th>low</th><th>recall</th></tr>\n")
                .append("<tr><td>high</td><td>")
                .append(ac[0][0])
                .append("</td><td>")
                .append(ac[0][1])
                .append("</td><td>")
                .append(num(a.highRecall()))
                .append("</td></tr>\n<tr><td>low</td><td>")
                .append(ac[1][0])
                .append("</td><td>")
                .append(ac[1][1])
                .append("</td><td>")
                .append(num(a.lowRecall()))
                .append("</td></tr></table>\n<p>Arousal accuracy ")
                .append(num(a.accuracy()))
                .append(".</p>\n");
        h.append("<img alt=\"confusion matrix of ")
                .append(esc(name))
                .append("\" src=\"")
                .append(esc(c.confusionPng()))
                .append("\" width=\"640\" height=\"560\">\n");
    }

    private static String spread(ClassificationMetrics.Spread s) {
        return "<td>" + num(s.mean()) + " ± " + num(s.std()) + "</td>";
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "–" : String.format("%.3f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
