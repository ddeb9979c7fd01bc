package dev.kinglet.dsl;

/**
 * Deep ensembles (Olson et al., 2018): {@code members} models trained from different seeds,
 * predictions averaged. {@code snapshots} instead takes one member per cycle of a
 * {@code cosineRestarts} schedule from a single training run.
 */
public record Ensemble(Integer members, Boolean snapshots) {
    public Ensemble {
        members = members == null ? 1 : members;
        snapshots = snapshots != null && snapshots;
        RecipeException.require(members >= 1 && members <= 100, "ensemble.members", "must be in 1..100, e.g. 5");
    }

    public static Ensemble single() {
        return new Ensemble(null, null);
    }
}
