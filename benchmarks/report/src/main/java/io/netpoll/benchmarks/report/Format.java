package io.netpoll.benchmarks.report;

import java.util.Locale;
import java.util.function.DoubleFunction;

/** How figures and ratios are printed in the report's tables. */
final class Format {
    private Format() {}

    /** Whole numbers with thousands separators, or "n/a". */
    static String count(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%,.0f", value);
    }

    /** Three significant figures at most, never fewer than needed to tell 0.5 from 0.05. */
    static String figure(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        double magnitude = Math.abs(value);
        String pattern = magnitude >= 100 ? "%,.0f" : magnitude >= 10 ? "%.1f" : magnitude >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, value);
    }

    static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    /** {@code value / baseline} as "1.23×", or empty when either is missing. */
    static String ratio(double value, double baseline) {
        if (Double.isNaN(value) || Double.isNaN(baseline) || baseline == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f×", value / baseline);
    }

    /** A figure followed by its ratio to the baseline in parentheses, when there is one. */
    static String withRatio(String figure, double value, double baseline) {
        String ratio = ratio(value, baseline);
        return ratio.isEmpty() ? figure : figure + " (" + ratio + ")";
    }

    static String range(Summary summary, DoubleFunction<String> format) {
        return summary.present() ? format.apply(summary.min()) + "–" + format.apply(summary.max()) : "n/a";
    }
}
