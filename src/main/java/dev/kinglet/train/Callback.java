package dev.kinglet.train;

/**
 * Progress bars, metric logs, checkpoints and schedules are callbacks, not branches in the
 * loop. Callbacks run in ascending {@link #order()} at each event.
 */
public interface Callback {
    void on(Event event, TrainState state);

    default int order() {
        return 0;
    }
}
