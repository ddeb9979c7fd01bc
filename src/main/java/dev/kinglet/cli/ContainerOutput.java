package dev.kinglet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Refuses a run whose output would live only in a container's own file system, which is lost
 * with the container: the run directory must be on a mounted volume. Checked only in Kinglet's
 * images (they set {@code KINGLET_CONTAINER}), not in every container: a development container
 * whose whole file system persists is a fine place for runs.
 */
final class ContainerOutput {
    private ContainerOutput() {}

    static void requireMounted(Path out, Map<String, String> env, Path mountinfo) {
        if (!env.containsKey("KINGLET_CONTAINER")) return;
        Path dir = out.toAbsolutePath().normalize();
        String mountPoint = mountPointOf(dir, mountinfo);
        if (mountPoint.equals("/")) {
            throw new IllegalArgumentException("the run directory " + dir + " would be inside this container and lost with it: "
                    + "mount a volume there, e.g. docker run -v \"$PWD/runs:/runs\" ... (Kinglet's image writes to /runs), "
                    + "or pass --out a mounted directory");
        }
    }

    /** The longest mount point in {@code /proc/self/mountinfo} that contains {@code dir}; "/" if none is known. */
    static String mountPointOf(Path dir, Path mountinfo) {
        String best = "/";
        try {
            for (String line : Files.readAllLines(mountinfo)) {
                String[] f = line.split(" ");
                if (f.length < 5) continue;
                String point = f[4].replace("\\040", " ");
                if (dir.startsWith(Path.of(point)) && point.length() > best.length()) best = point;
            }
        } catch (IOException e) {
            return dir.toString(); // no /proc: nothing is known about mounts, so nothing is refused
        }
        return best;
    }
}
