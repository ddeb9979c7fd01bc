package dev.kinglet.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import dev.kinglet.dsl.Data;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.PixelCache;
import dev.kinglet.natives.Pixels;
import dev.kinglet.natives.Scope;

/**
 * Decoded images kept across runs: one cache file ({@link PixelCache}) per data set, requested
 * shape and conversion rule, under {@link #directory()}. A file is known by the SHA-256 of its
 * bytes; its size and modification time stand in for the hash when they are unchanged and
 * older than the cache file's stamp. A file whose content the cache does not hold is decoded,
 * and the cache file is then rewritten whole. A cache file that is corrupt, foreign or of
 * another format version is never trusted: it is rebuilt, with a notice.
 */
final class ImageCache implements AutoCloseable {
    // File times are coarse (FAT keeps 2 s): a file changed in the tick the cache was written keeps its time, so such files are hashed.
    private static final long RACY_NANOS = 2_000_000_000L;

    /** What reading one file gave: its image (in the cache, or decoded), or why it is bad. */
    sealed interface Found permits Good, Bad {}

    /** A readable image, described by {@code meta} as the file is now. */
    sealed interface Good extends Found permits Cached, Decoded {
        PixelCache.Entry meta();
    }

    record Cached(int entry, PixelCache.Entry meta) implements Good {}

    /** Decoded pixels of the source's size and channels; {@code corrupt} when a cache entry of this content failed its checksum. */
    record Decoded(byte[] hwc, PixelCache.Entry meta, boolean corrupt) implements Good {}

    /** {@code message} names the file and what is wrong with it. */
    record Bad(String message) implements Found {}

    private final Path root, file;
    private final String key;
    private final long stamp;
    private final PixelCache old;
    private final Map<String, Integer> byName = new HashMap<>(), byContent = new HashMap<>();
    private final List<String> notices = new ArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    private PixelCache written;
    private int hits, decoded;

    private ImageCache(Path root, Path file, String key, long stamp, PixelCache old) {
        this.root = root;
        this.file = file;
        this.key = key;
        this.stamp = stamp;
        this.old = old;
        if (old != null) {
            for (int i = 0; i < old.entries().size(); i++) {
                byName.putIfAbsent(old.entries().get(i).name(), i);
                byContent.putIfAbsent(old.entries().get(i).contentSha256(), i);
            }
        }
    }

    /**
     * The Kinglet cache directory: the system property {@code kinglet.cache.dir}, else
     * {@code $KINGLET_HOME/cache}, {@code $XDG_CACHE_HOME/kinglet/cache}, {@code ~/.cache/kinglet/cache}.
     */
    static Path directory() {
        String property = System.getProperty("kinglet.cache.dir");
        if (property != null && !property.isBlank()) return Path.of(property);
        String home = System.getenv("KINGLET_HOME");
        if (home != null && !home.isBlank()) return Path.of(home, "cache");
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) return Path.of(xdg, "kinglet", "cache");
        return Path.of(System.getProperty("user.home"), ".cache", "kinglet", "cache");
    }

    /**
     * The cache of the images of {@code source} (an image folder or a manifest) whose file names
     * are relative to {@code root}, at the size and channels {@code data} asks for.
     */
    static ImageCache open(Path source, Path root, Data data) throws IOException {
        long stamp = nanos(Instant.now()); // before any file is looked at
        Path real = source.toRealPath();
        String key = "kinglet image cache\nsource " + real
                + "\nsize " + (data.imageSize().isEmpty() ? "as the images" : data.imageSize().get(0) + "x" + data.imageSize().get(1))
                + "\nchannels " + (data.channels() == null ? "as the images" : data.channels())
                + "\nrule " + PixelCache.conversionRule();
        String name = real.getFileName() == null ? "root" : real.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        Path file = directory().resolve("images").resolve(name + "-" + Datasets.digest(key.getBytes(StandardCharsets.UTF_8)).substring(0, 16) + ".pixels");
        PixelCache old = null;
        String notice = null;
        try {
            old = PixelCache.open(file, key);
        } catch (IOException e) {
            // absent (or its folder is): the first read of this data set at this shape
            if (!(e instanceof NoSuchFileException) && Files.exists(file)) notice = "image cache " + e.getMessage() + ": not trusted, rebuilt";
        }
        ImageCache cache = new ImageCache(root.toAbsolutePath().normalize(), file, key, stamp, old);
        if (notice != null) cache.notices.add(notice);
        return cache;
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Each file's image from the cache if it holds the file's content, else decoded; in order, in parallel. */
    List<Found> find(List<Path> files) throws IOException {
        List<Callable<Found>> tasks = new ArrayList<>();
        for (Path f : files) tasks.add(() -> find(f, true));
        return parallel(tasks);
    }

    private Found find(Path path, boolean useCache) {
        Path f = path.toAbsolutePath().normalize();
        String name = root.relativize(f).toString();
        long size, modified;
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            size = a.size();
            modified = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        } catch (NoSuchFileException e) {
            return new Bad(path + ": not found");
        } catch (IOException e) {
            return new Bad(path + ": " + e.getMessage());
        }
        if (size == 0) return new Bad(path + ": empty file");
        if (!Files.isReadable(f)) return new Bad(path + ": permission denied");
        useCache &= old != null;
        Integer known = useCache ? byName.get(name) : null;
        if (known != null) {
            PixelCache.Entry e = old.entries().get(known);
            if (e.size() == size && e.modified() == modified && modified + RACY_NANOS < old.stamp() && old.intact(known)) return new Cached(known, e);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (AccessDeniedException e) {
            return new Bad(path + ": permission denied");
        } catch (IOException e) {
            return new Bad(path + ": " + e.getMessage());
        }
        String sha = Datasets.digest(bytes);
        Integer same = useCache ? byContent.get(sha) : null;
        if (same != null && old.intact(same)) return new Cached(same, old.entries().get(same).withFile(name, size, modified));
        try (var scope = Scope.image()) {
            Image img = Image.decode(bytes, path.toString());
            byte[] hwc = img.toBytes();
            return new Decoded(hwc, new PixelCache.Entry(name, size, modified, sha, Datasets.digest(hwc), img.height(), img.width(), img.channels()),
                    same != null);
        } catch (IOException e) {
            return new Bad(e.getMessage());
        } catch (RuntimeException e) {
            return new Bad(path + ": not a readable image (" + e.getMessage() + ")");
        }
    }

    /** Images of one shape, file {@code i} at row {@code rows[i]}: of a cache file, or in memory where none could be written. */
    static final class Store {
        private final PixelCache cache;
        private final List<byte[]> memory;
        private final int[] rows;
        private final int height, width, channels;

        private Store(PixelCache cache, List<byte[]> memory, int[] rows, int height, int width, int channels) {
            this.cache = cache;
            this.memory = memory;
            this.rows = rows;
            this.height = height;
            this.width = width;
            this.channels = channels;
        }

        /** Pixels of their own holding files {@code from} (inclusive) to {@code to}, and the row of each. */
        record Placed(Pixels pixels, int[] rows) {}

        Placed place(int from, int to) throws IOException {
            if (cache != null) return new Placed(cache.pixels(), Arrays.copyOfRange(rows, from, to));
            Pixels px = Pixels.allocate(to - from, height, width, channels);
            int[] identity = new int[to - from];
            for (int i = from; i < to; i++) {
                px.set(i - from, memory.get(rows[i]));
                identity[i - from] = i - from;
            }
            return new Placed(px, identity);
        }
    }

    /**
     * The images of {@code files} (each found readable) at {@code height x width x channels}:
     * straight from the cache file when it holds them all at this shape, else from a new cache
     * file with what was decoded added (in memory, with a notice, if it cannot be written).
     */
    Store store(List<Path> paths, List<Good> files, int height, int width, int channels) throws IOException {
        List<Good> found = new ArrayList<>(files);
        boolean shaped = old != null && old.height() == height && old.width() == width && old.channels() == channels;
        if (!shaped) {
            // the cache holds another shape (the images' own, which followed them): decode those again
            List<Callable<Found>> again = new ArrayList<>();
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                if (found.get(i) instanceof Cached) {
                    Path p = paths.get(i);
                    again.add(() -> find(p, false));
                    at.add(i);
                }
            }
            List<Found> redone = parallel(again);
            for (int k = 0; k < at.size(); k++) {
                if (!(redone.get(k) instanceof Good g)) throw new IOException(((Bad) redone.get(k)).message() + " (changed while being read)");
                found.set(at.get(k), g);
            }
        }
        long corrupt = found.stream().filter(g -> g instanceof Decoded d && d.corrupt()).count();
        if (corrupt > 0) notices.add(corrupt + " image(s) in the cache failed their checksum: decoded again");
        hits = (int) found.stream().filter(g -> g instanceof Cached).count();
        decoded = found.size() - hits;
        int[] rows = new int[found.size()];
        if (decoded == 0) {
            for (int i = 0; i < rows.length; i++) rows[i] = ((Cached) found.get(i)).entry();
            return new Store(old, null, rows, height, width, channels);
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        List<PixelCache.Entry> entries = new ArrayList<>();
        List<Good> sources = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            Good g = found.get(i);
            Integer row = index.get(g.meta().name());
            if (row == null) {
                index.put(g.meta().name(), row = entries.size());
                entries.add(g.meta());
                sources.add(g);
            }
            rows[i] = row;
        }
        List<Callable<byte[]>> conversions = new ArrayList<>();
        for (Good g : sources) {
            if (g instanceof Decoded d) {
                conversions.add(() -> {
                    try (var scope = Scope.image()) {
                        return Image.of(d.hwc(), d.meta().sourceHeight(), d.meta().sourceWidth(), d.meta().sourceChannels())
                                .toChannels(channels).resize(height, width).toBytes();
                    }
                });
            }
        }
        List<byte[]> converted = parallel(conversions);
        int[] convertedAt = new int[sources.size()];
        for (int k = 0, next = 0; k < sources.size(); k++) convertedAt[k] = sources.get(k) instanceof Decoded ? next++ : -1;
        IntFunction<byte[]> image = k -> switch (sources.get(k)) {
            case Cached c -> old.image(c.entry());
            case Decoded d -> converted.get(convertedAt[k]);
        };
        try {
            written = PixelCache.write(file, key, stamp, height, width, channels, entries, image);
            return new Store(written, null, rows, height, width, channels);
        } catch (IOException e) {
            notices.add("image cache " + file + " not written (" + e.getMessage() + "): images kept in memory for this run");
            List<byte[]> memory = new ArrayList<>(sources.size());
            for (int k = 0; k < sources.size(); k++) memory.add(image.apply(k));
            return new Store(null, memory, rows, height, width, channels);
        }
    }

    /** How the images were read, once {@link #store} has run. */
    Datasets.CacheUse use() {
        return new Datasets.CacheUse(file, hits, decoded, notices);
    }

    private <T> List<T> parallel(List<Callable<T>> tasks) throws IOException {
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> t : tasks) futures.add(pool.submit(t));
        List<T> out = new ArrayList<>(tasks.size());
        for (Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                futures.forEach(g -> g.cancel(true));
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading images", e);
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        pool.shutdownNow();
        try {
            if (old != null) old.close();
        } finally {
            if (written != null) written.close();
        }
    }
}
