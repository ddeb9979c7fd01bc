package dev.kinglet.rundir;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of one job: {@code <variant>.<point>.f<fold>.s<seed>.m<member>}, e.g.
 * {@code base.perClass10.f0.s2.m4}. Printed and parsed here only; the directory {@code jobs/<id>/}
 * and plan.json use this form. The members of one ensemble share {@link #ensemble()}.
 */
public record JobId(String variant, String point, int fold, int seed, int member) {
    /** A variant name may hold dots; the point is one of all, perClass<n>, fraction<x>. */
    private static final Pattern FORM = Pattern.compile("(.+)\\.(all|perClass\\d+|fraction[0-9.Ee+-]+?)\\.f(\\d+)\\.s(\\d+)\\.m(\\d+)");

    public JobId {
        if (variant.isEmpty() || point.isEmpty() || fold < 0 || seed < 0 || member < 0) {
            throw new IllegalArgumentException("not a job id: variant \"" + variant + "\", point \"" + point + "\", f" + fold + ".s" + seed + ".m" + member);
        }
    }

    public static JobId parse(String id) {
        Matcher m = FORM.matcher(id);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + id + "\" is not a job id: expected <variant>.<point>.f<fold>.s<seed>.m<member>, e.g. base.all.f0.s0.m0");
        }
        return new JobId(m.group(1), m.group(2), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)));
    }

    /** The ensemble this job is a member of: the id without its member, e.g. {@code base.all.f0.s0}. */
    public String ensemble() {
        return variant + "." + point + ".f" + fold + ".s" + seed;
    }

    @Override
    public String toString() {
        return ensemble() + ".m" + member;
    }
}
