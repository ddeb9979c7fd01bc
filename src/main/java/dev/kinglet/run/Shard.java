package dev.kinglet.run;

import java.util.Map;

import dev.kinglet.dsl.RecipeException;

/**
 * This process's share of a prepared run: job k of the plan belongs to shard {@code k mod count}.
 * Given as {@code --shard i/N}, or as {@code --shard N} with the index from the scheduler:
 * {@code JOB_COMPLETION_INDEX} (a Kubernetes Indexed Job) or {@code SLURM_ARRAY_TASK_ID} (a Slurm
 * array, counted from {@code SLURM_ARRAY_TASK_MIN}).
 */
public record Shard(int index, int count) {
    public Shard {
        if (count < 1 || count > 100_000) throw new RecipeException("--shard", "the shard count must be in 1..100000, got " + count);
        if (index < 0 || index >= count) throw new RecipeException("--shard", "the shard index must be in 0.." + (count - 1) + " for " + count + " shards, got " + index);
    }

    public static Shard parse(String spec, Map<String, String> env) {
        String s = spec.trim();
        try {
            int slash = s.indexOf('/');
            if (slash >= 0) return new Shard(Integer.parseInt(s.substring(0, slash).trim()), Integer.parseInt(s.substring(slash + 1).trim()));
            int count = Integer.parseInt(s);
            String k8s = env.get("JOB_COMPLETION_INDEX"), slurm = env.get("SLURM_ARRAY_TASK_ID");
            if (k8s != null && !k8s.isBlank()) return new Shard(Integer.parseInt(k8s.trim()), count);
            if (slurm != null && !slurm.isBlank()) {
                String min = env.getOrDefault("SLURM_ARRAY_TASK_MIN", "0");
                return new Shard(Integer.parseInt(slurm.trim()) - Integer.parseInt(min.trim()), count);
            }
            throw new RecipeException("--shard", "\"" + spec + "\" gives the count only, and neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor"
                    + " SLURM_ARRAY_TASK_ID (Slurm array) is set: give the index as --shard i/N, e.g. --shard 0/" + count);
        } catch (NumberFormatException e) {
            throw new RecipeException("--shard", "\"" + spec + "\" is not i/N or N (whole numbers, e.g. --shard 0/4): " + e.getMessage());
        }
    }

    /** Whether job {@code k} of the plan (in plan order) is this shard's. */
    public boolean owns(int k) {
        return k % count == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
