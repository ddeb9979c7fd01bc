package dev.kinglet.rundir;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a job of a run stands, written in lower case in {@code plan.json} and {@code outcome.json}. */
public enum JobState {
    /** planned, not started */
    PENDING,
    /** started by a process that has not recorded its outcome (still training, or killed) */
    RUNNING,
    /** trained and tested; its files are complete */
    DONE,
    /** stopped by an error, recorded with it; {@code --resume} runs it again */
    FAILED;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static JobState parse(String s) {
        for (JobState v : values()) if (v.json().equals(s)) return v;
        throw new IllegalArgumentException("unknown job state \"" + s + "\": expected pending, running, done or failed");
    }
}
