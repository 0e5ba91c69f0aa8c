package dev.ser.jobs.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code report.html}: the contents of {@code metrics.json} as tables a person reads, with the
 * confusion-matrix images, in one self-contained page (images beside it).
 */
public final class EvaluationReport {
    private EvaluationReport() {
    }

    static String html(JsonNode metrics) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ser evaluation ")
                .append(esc(metrics.path("run_id").asText())).append("</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}")
                .append("table{border-collapse:collapse;margin:.6em 0 1.2em}td,th{border:1px solid #bbb;padding:.3em .6em;")
                .append("text-align:right}th{background:#eef}td:first-child,th:first-child{text-align:left}")
                .append(".warn{background:#fee;border:1px solid #c00;padding:.6em;font-weight:bold}")
                .append("img{border:1px solid #ccc;margin:.5em 0}</style></head><body>\n");
        h.append("<h1>Speech emotion evaluation</h1>\n<p>Run <code>").append(esc(metrics.path("run_id").asText()))
                .append("</code>. WA = accuracy; UA = unweighted average recall (balanced accuracy); macro F1; ")
                .append("definitions as scikit-learn's. Folds are speaker-independent.</p>\n");
        h.append("<h2>Models</h2>\n<table><tr><th>name</th><th>SHA-256</th><th>folds</th><th>source</th></tr>\n");
        boolean untrained = false;
        for (JsonNode m : metrics.path("models")) {
            untrained |= !m.path("trained").asBoolean();
            h.append("<tr><td>").append(esc(m.path("name").asText())).append("</td><td><code>")
                    .append(esc(m.path("sha256").asText().substring(0, 16))).append("…</code></td><td>")
                    .append(esc(m.path("folds").toString())).append("</td><td>").append(esc(m.path("source").asText()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (untrained) {
            h.append("<p class=\"warn\">An UNTRAINED model made these predictions: the figures below measure nothing ")
                    .append("but the pipeline.</p>\n");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = metrics.path("corpora").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            corpus(h, e.getKey(), e.getValue());
        }
        // Marks the page once every image has loaded, so a headless browser check can tell.
        h.append("<script>window.addEventListener('load',()=>{const i=[...document.images];")
                .append("document.body.dataset.imagesLoaded=i.filter(x=>x.complete&&x.naturalWidth>0).length+'/'+i.length;});")
                .append("</script>\n</body></html>\n");
        return h.toString();
    }

    private static void corpus(StringBuilder h, String name, JsonNode c) {
        JsonNode clips = c.path("clips");
        h.append("<h2>").append(esc(name)).append("</h2>\n<p>Root <code>").append(esc(c.path("root").asText()))
                .append("</code>; reader options ").append(esc(c.path("reader_options").toString())).append("; ")
                .append(c.path("folds").asInt()).append(" folds.</p>\n");
        h.append("<table><tr><th>clips</th><th>in the 4 classes</th><th>scored</th><th>excluded by label</th>")
                .append("<th>not scored</th></tr><tr><td>").append(clips.path("total").asInt()).append("</td><td>")
                .append(clips.path("used").asInt()).append("</td><td>").append(clips.path("scored").asInt())
                .append("</td><td>").append(esc(clips.path("excluded_by_label").toString())).append("</td><td>")
                .append(esc(clips.path("not_scored_by_status").toString())).append("</td></tr></table>\n");

        JsonNode over = c.path("over_folds");
        JsonNode pooled = c.path("pooled");
        h.append("<table><tr><th></th><th>WA</th><th>UA</th><th>macro F1</th></tr>\n<tr><td>mean ± std over folds</td>")
                .append(spread(over.path("wa"))).append(spread(over.path("ua"))).append(spread(over.path("macro_f1")))
                .append("</tr>\n<tr><td>pooled (all folds)</td><td>").append(num(pooled.path("wa"))).append("</td><td>")
                .append(num(pooled.path("ua"))).append("</td><td>").append(num(pooled.path("macro_f1")))
                .append("</td></tr></table>\n");

        h.append("<table><tr><th>class (pooled)</th><th>precision</th><th>recall</th><th>F1</th><th>support</th>")
                .append("<th>F1 over folds</th></tr>\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = pooled.path("per_class").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> pc = it.next();
            JsonNode v = pc.getValue();
            h.append("<tr><td>").append(esc(pc.getKey())).append("</td><td>").append(num(v.path("precision")))
                    .append("</td><td>").append(num(v.path("recall"))).append("</td><td>").append(num(v.path("f1")))
                    .append("</td><td>").append(v.path("support").asLong()).append("</td>")
                    .append(spread(over.path("per_class_f1").path(pc.getKey()))).append("</tr>\n");
        }
        h.append("</table>\n<table><tr><th>fold</th><th>clips</th><th>WA</th><th>UA</th><th>macro F1</th>")
                .append("<th>test speakers</th></tr>\n");
        for (JsonNode f : c.path("per_fold")) {
            h.append("<tr><td>").append(f.path("fold").asInt()).append("</td><td>").append(f.path("n").asLong())
                    .append("</td><td>").append(num(f.path("wa"))).append("</td><td>").append(num(f.path("ua")))
                    .append("</td><td>").append(num(f.path("macro_f1"))).append("</td><td>")
                    .append(esc(c.path("fold_speakers").path(f.path("fold").asText()).toString())).append("</td></tr>\n");
        }
        JsonNode a = c.path("arousal");
        JsonNode ac = a.path("confusion");
        h.append("</table>\n<h3>Arousal (high: anger, happiness; low: neutral, sadness)</h3>\n")
                .append("<table><tr><th>true \\ predicted</th><th>high</th><th>low</th><th>recall</th></tr>\n")
                .append("<tr><td>high</td><td>").append(ac.path(0).path(0).asLong()).append("</td><td>")
                .append(ac.path(0).path(1).asLong()).append("</td><td>").append(num(a.path("high_recall")))
                .append("</td></tr>\n<tr><td>low</td><td>").append(ac.path(1).path(0).asLong()).append("</td><td>")
                .append(ac.path(1).path(1).asLong()).append("</td><td>").append(num(a.path("low_recall")))
                .append("</td></tr></table>\n<p>Arousal accuracy ").append(num(a.path("accuracy"))).append(".</p>\n");
        h.append("<img alt=\"confusion matrix of ").append(esc(name)).append("\" src=\"")
                .append(esc(c.path("confusion_png").asText())).append("\" width=\"640\" height=\"560\">\n");
    }

    private static String spread(JsonNode s) {
        return "<td>" + num(s.path("mean")) + " ± " + num(s.path("std")) + "</td>";
    }

    private static String num(JsonNode v) {
        return v.isNumber() && !Double.isNaN(v.asDouble()) ? String.format("%.3f", v.asDouble()) : "–";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
