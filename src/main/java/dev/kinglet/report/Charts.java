package dev.kinglet.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import dev.kinglet.util.Stats;


/** The report's plots, drawn with XChart and inlined as PNG data URIs. */
final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("could not draw the chart '" + chart.getTitle() + "'", e);
        }
    }

    private static XYChart xy(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(760).height(440).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setMarkerSize(7);
        return c;
    }

    /** Learning curves: mean test accuracy (%) with 95% intervals per point, and each fitted power law dashed. */
    static byte[] learningCurves(List<RunReport.Curve> curves) {
        XYChart c = xy("Learning curves (test accuracy, mean and 95% interval)", curves.get(0).unit(), "accuracy (%)");
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setErrorBarsColorSeriesColor(true);
        for (RunReport.Curve curve : curves) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>(), e = new ArrayList<>();
            for (RunReport.CurvePoint p : curve.points()) {
                if (p.accuracy() == null) continue;
                x.add(p.x());
                y.add(100 * p.accuracy().mean());
                e.add(100 * (p.accuracy().ciHigh() - p.accuracy().mean()));
            }
            if (x.isEmpty()) continue;
            XYSeries s = c.addSeries(curve.name(), x, y, e);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            if (curve.fit() != null) {
                double lo = x.get(0), hi = x.get(x.size() - 1) * 4;
                List<Double> fx = new ArrayList<>(), fy = new ArrayList<>();
                for (int i = 0; i <= 60; i++) {
                    double v = lo * Math.pow(hi / lo, i / 60.0);
                    fx.add(v);
                    fy.add(100 * curve.fit().at(v));
                }
                XYSeries f = c.addSeries(curve.name() + " (fit)", fx, fy);
                f.setMarker(SeriesMarkers.NONE);
                f.setLineStyle(SeriesLines.DASH_DASH);
                f.setLineColor(s.getLineColor() != null ? s.getLineColor() : java.awt.Color.GRAY);
                f.setShowInLegend(false);
            }
        }
        return png(c);
    }

    /** One line per series over epochs (missing values skipped). */
    static byte[] epochs(String title, String y, Map<String, List<double[]>> series) {
        XYChart c = xy(title, "epoch", y);
        for (var e : series.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (double[] p : e.getValue()) {
                xs.add(p[0]);
                ys.add(p[1]);
            }
            XYSeries s = c.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        return png(c);
    }

    /** Confusion matrix as a heat map: truth down, prediction across, counts summed over the results. */
    static byte[] confusion(String title, List<String> classes, long[][] counts) {
        int k = classes.size();
        int size = Math.max(420, Math.min(900, 60 * k + 200));
        HeatMapChart c = new HeatMapChartBuilder().width(size).height(size).title(title).xAxisTitle("predicted").yAxisTitle("true").build();
        c.getStyler().setShowValue(k <= 12);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setRangeColors(new java.awt.Color[] {new java.awt.Color(247, 251, 255), new java.awt.Color(8, 48, 107)});
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < k; t++) for (int p = 0; p < k; p++) cells.add(new Number[] {p, k - 1 - t, counts[t][p]});
        List<String> reversed = new ArrayList<>(classes);
        java.util.Collections.reverse(reversed);
        c.addSeries("confusion", classes, reversed, cells);
        return png(c);
    }

    /** Reliability diagram: accuracy against mean confidence per bin, the diagonal perfect calibration. */
    static byte[] reliability(String title, List<double[]> bins) {
        XYChart c = xy(title, "confidence (top probability)", "accuracy");
        c.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        XYSeries diag = c.addSeries("perfect calibration", new double[] {0, 1}, new double[] {0, 1});
        diag.setMarker(SeriesMarkers.NONE);
        diag.setLineStyle(SeriesLines.DASH_DASH);
        diag.setLineColor(java.awt.Color.GRAY);
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (double[] b : bins) {
            x.add(b[0]);
            y.add(b[1]);
        }
        if (!x.isEmpty()) c.addSeries("model", x, y);
        return png(c);
    }

    /** Member accuracies (dots) and the ensemble's (diamond) for each ensemble. */
    static byte[] ensembles(List<String> names, List<List<Double>> members, List<Double> ensemble) {
        XYChart c = xy("Ensemble members vs ensemble (test accuracy %)", "ensemble (see the table below)", "accuracy (%)");
        List<Double> mx = new ArrayList<>(), my = new ArrayList<>(), ex = new ArrayList<>(), ey = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (double a : members.get(i)) {
                mx.add(i + 1.0);
                my.add(100 * a);
            }
            ex.add(i + 1.0);
            ey.add(100 * ensemble.get(i));
        }
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setXAxisMin(0.5).setXAxisMax(names.size() + 0.5);
        c.addSeries("members", mx, my).setMarker(SeriesMarkers.CIRCLE);
        c.addSeries("ensemble", ex, ey).setMarker(SeriesMarkers.DIAMOND);
        return png(c);
    }

    /** The summary's accuracies with their intervals, one line per variant across points (a compact picture of the table). */
    static byte[] summary(List<String> points, Map<String, List<Stats.Summary>> byVariant) {
        XYChart c = xy("Test accuracy by variant (mean and 95% interval)", "point (in plan order)", "accuracy (%)");
        c.getStyler().setErrorBarsColorSeriesColor(true);
        for (var e : byVariant.entrySet()) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>(), err = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                Stats.Summary s = e.getValue().get(i);
                if (s == null) continue;
                x.add(i + 1.0);
                y.add(100 * s.mean());
                err.add(100 * (s.ciHigh() - s.mean()));
            }
            if (!x.isEmpty()) c.addSeries(e.getKey(), x, y, err);
        }
        return png(c);
    }
}
