package dev.kinglet.data;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

import dev.kinglet.dsl.DataSource;
import dev.kinglet.dsl.CsvManifest;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.ImageFolder;
import dev.kinglet.dsl.UnlabelledFolder;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.TableSource;
import dev.kinglet.natives.Pixels;

/** Turns a recipe's data source into train and test image sets. */
public final class Datasets {
    private Datasets() {}

    /**
     * The fixed split of a source: {@code test} is never touched by training or model selection.
     * {@code duplicates} names test images equal to training images, {@code conversion} says how
     * the images were converted and read, {@code skipped} names each bad file or class left out
     * ({@code data.skipBadFiles}) and why, and {@code cache} says how the image cache was used.
     */
    public record Split(ImageSet train, ImageSet test, List<String> duplicates, String conversion, List<String> skipped, CacheUse cache)
            implements AutoCloseable {
        public Split {
            duplicates = List.copyOf(duplicates);
            skipped = List.copyOf(skipped);
        }

        public Split(ImageSet train, ImageSet test) {
            this(train, test, List.of(), "", List.of(), CacheUse.NONE);
        }

        @Override
        public void close() {
            train.close();
            test.close();
        }
    }

    /**
     * How the images of a split were read: {@code hits} from the image cache {@code file},
     * {@code decoded} from their files; {@code notices} say what was wrong with the cache file,
     * which was then rebuilt or, if it could not be written, left out.
     */
    public record CacheUse(Path file, int hits, int decoded, List<String> notices) {
        public static final CacheUse NONE = new CacheUse(null, 0, 0, List.of());

        public CacheUse {
            notices = List.copyOf(notices);
        }

        /** One line for the run's output, e.g. {@code image cache: 510 read, 2 decoded (/home/u/.cache/kinglet/cache/images/...)}. */
        public String summary() {
            if (file == null) return "";
            String s = "image cache: " + hits + " read, " + decoded + " decoded (" + file + ")";
            return notices.isEmpty() ? s : s + "; " + String.join("; ", notices);
        }
    }

    /** Loads an IDX source with its own split; relative paths are resolved against {@code base}. */
    /** Whether {@code p} has an image file's extension that image folders and manifests read. */
    public static boolean isImage(Path p) {
        return ImageFiles.isImage(p);
    }

    public static Split load(DataSource source, Path base) throws IOException {
        return load(new Data(source), base, 0);
    }

    /**
     * Loads the recipe's data; relative paths are resolved against {@code base}. Sources without
     * a test split of their own hold out {@code data.testFraction} per class, drawn by {@code seed}.
     */
    public static Split load(Data data, Path base, long seed) throws IOException {
        Split all = loadAll(data, base, seed);
        if (data.classes().isEmpty()) return all;
        return new Split(all.train().onlyClasses(data.classes(), "data.classes"), all.test().onlyClasses(data.classes(), "data.classes"),
                all.duplicates(), all.conversion(), all.skipped(), all.cache());
    }

    private static Split loadAll(Data data, Path base, long seed) throws IOException {
        return switch (data.source()) {
            case IdxSource idx -> loadIdx(idx, base);
            case ImageFolder f -> ImageFiles.folder(f, data, base, seed);
            case CsvManifest c -> ImageFiles.manifest(c, data, base, seed);
            case TableSource t -> TableReader.split(t, data, base, seed);
            case UnlabelledFolder u -> throw new RecipeException("data.source", "an unlabelledFolder has no labels");
        };
    }

    private static Split loadIdx(IdxSource s, Path base) throws IOException {
        Path dir = base.resolve(s.dir());
        if (!dir.toFile().isDirectory()) {
            throw new RecipeException("data.source.dir", "folder " + dir.toAbsolutePath().normalize()
                    + " not found (relative paths are resolved against " + base.toAbsolutePath().normalize() + ")");
        }
        ImageSet train = idxSet(dir.resolve(s.trainImages()), dir.resolve(s.trainLabels()), s.classes());
        try {
            ImageSet test = idxSet(dir.resolve(s.testImages()), dir.resolve(s.testLabels()), train.classes());
            return new Split(train, test);
        } catch (IOException | RuntimeException e) {
            train.close();
            throw e;
        }
    }

    private static ImageSet idxSet(Path imagesFile, Path labelsFile, List<String> classes) throws IOException {
        IdxReader.Idx images = IdxReader.read(imagesFile);
        IdxReader.Idx labels = IdxReader.read(labelsFile);
        if (images.dims().length != 3 && images.dims().length != 4) {
            throw new IOException(imagesFile + ": images need 3 dimensions (count, rows, cols) or 4 (…, channels), got " + images.dims().length);
        }
        if (labels.dims().length != 1 || labels.count() != images.count()) {
            throw new IOException(labelsFile + ": " + labels.count() + " labels for " + images.count() + " images in " + imagesFile);
        }
        int[] y = new int[labels.count()];
        int max = -1;
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.data()[i] & 0xFF;
            max = Math.max(max, y[i]);
        }
        List<String> names = classes.isEmpty() ? IntStream.rangeClosed(0, max).mapToObj(Integer::toString).toList() : classes;
        if (max >= names.size()) {
            throw new IOException(labelsFile + ": label " + max + " but only " + names.size() + " class names are given");
        }
        int[] d = images.dims();
        int channels = d.length == 4 ? d[3] : 1;
        Pixels px = Pixels.copyOf(images.data(), 0, d[0], d[1], d[2], channels);
        return new ImageSet(px, y, names, digest(images.data(), labels.data()));
    }

    /** Hex SHA-256 of the concatenated parts. */
    public static String digest(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) md.update(p);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
