package dev.ser.jobs.evaluation;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * A confusion matrix as a PNG heat map (JFreeChart): rows are the true labels, columns the
 * predicted ones; each cell shows its count and its share of the row, shaded by that share.
 */
public final class ConfusionMatrixChart {
    private ConfusionMatrixChart() {}

    public static void write(Path png, String title, List<String> labels, long[][] counts)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        int k = labels.size();
        double[][] xyz = new double[3][k * k];
        XYPlot plot = new XYPlot();
        for (int t = 0; t < k; t++) {
            long row = 0;
            for (long c : counts[t]) {
                row += c;
            }
            for (int p = 0; p < k; p++) {
                int i = t * k + p;
                double share = row == 0 ? 0 : (double) counts[t][p] / row;
                xyz[0][i] = p;
                xyz[1][i] = k - 1 - t; // first true label on top
                xyz[2][i] = share;
                XYTextAnnotation text =
                        new XYTextAnnotation(
                                String.format("%d (%.0f%%)", counts[t][p], 100 * share),
                                p,
                                k - 1 - t);
                text.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
                text.setPaint(share > 0.55 ? Color.WHITE : Color.BLACK);
                plot.addAnnotation(text);
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("share of row", xyz);
        LookupPaintScale scale = new LookupPaintScale(0, 1.0001, Color.WHITE);
        for (int step = 0; step <= 20; step++) {
            double v = step / 20.0;
            scale.add(
                    v,
                    new Color((int) (247 - 239 * v), (int) (251 - 203 * v), (int) (255 - 148 * v)));
        }
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        String[] reversed = new String[k];
        for (int t = 0; t < k; t++) {
            reversed[t] = labels.get(k - 1 - t);
        }
        SymbolAxis predicted = new SymbolAxis("predicted", labels.toArray(String[]::new));
        SymbolAxis truth = new SymbolAxis("true", reversed);
        Font axisFont = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
        for (SymbolAxis axis : List.of(predicted, truth)) {
            axis.setTickLabelFont(axisFont);
            axis.setLabelFont(axisFont.deriveFont(Font.BOLD));
            axis.setGridBandsVisible(false);
        }
        plot.setDataset(data);
        plot.setRenderer(renderer);
        plot.setDomainAxis(predicted);
        plot.setRangeAxis(truth);
        plot.setDomainAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setOutlineStroke(new BasicStroke(1f));
        JFreeChart chart = new JFreeChart(plot);
        chart.removeLegend();
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 16)));
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 640, 560);
    }
}
