package io.netpoll.benchmarks.report;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** Median, minimum and maximum of one figure over a point's repeated runs (NaN runs ignored). */
record Summary(double median, double min, double max, int runs) {
    static final Summary none = new Summary(Double.NaN, Double.NaN, Double.NaN, 0);

    static Summary of(List<Sample> samples, ToDoubleFunction<Sample> figure) {
        double[] values = samples.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return none;
        }
        int n = values.length;
        double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        return new Summary(median, values[0], values[n - 1], n);
    }

    boolean present() {
        return runs > 0;
    }
}
