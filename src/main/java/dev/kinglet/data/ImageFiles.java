package dev.kinglet.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import dev.kinglet.dsl.CsvManifest;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.ImageFolder;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.Pixels;
import dev.kinglet.natives.Scope;

/**
 * Image files (a folder of class sub-folders, or a CSV manifest) decoded once into native
 * pixels of one size and channel count. Every file is read before training starts: a corrupt,
 * empty, unreadable or missing file is an error that names its path and why.
 */
final class ImageFiles {
    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp");

    private ImageFiles() {}

    record Labelled(Path file, int label) {}

    /** The split of an image folder: {@code train/} and {@code test/} if present, else a stratified test share. */
    static Datasets.Split folder(ImageFolder source, Data data, Path base, long seed) throws IOException {
        Path dir = base.resolve(source.dir()).normalize();
        if (!Files.isDirectory(dir)) throw new RecipeException("data.source.dir", "folder " + dir.toAbsolutePath() + " not found");
        boolean presplit = Files.isDirectory(dir.resolve("train"));
        Path trainDir = presplit ? dir.resolve("train") : dir;
        List<String> classes = classFolders(trainDir);
        List<Labelled> train = new ArrayList<>(), test = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            train.addAll(images(trainDir.resolve(classes.get(c)), c));
            if (presplit && Files.isDirectory(dir.resolve("val").resolve(classes.get(c)))) train.addAll(images(dir.resolve("val").resolve(classes.get(c)), c));
            if (presplit && Files.isDirectory(dir.resolve("test").resolve(classes.get(c)))) test.addAll(images(dir.resolve("test").resolve(classes.get(c)), c));
        }
        if (presplit && Files.isDirectory(dir.resolve("test"))) {
            for (String c : classFolders(dir.resolve("test"))) {
                if (!classes.contains(c)) throw new IOException(dir.resolve("test").resolve(c) + ": class '" + c + "' has no training folder in " + trainDir);
            }
        }
        if (!presplit || test.isEmpty()) {
            var parts = holdOut(train, classes.size(), data.testFraction(), seed);
            train = parts.get(0);
            test = parts.get(1);
        }
        return decode(train, test, classes, data);
    }

    /** The split of a CSV manifest of {@code path,label} rows, a stratified test share held out. */
    static Datasets.Split manifest(CsvManifest source, Data data, Path base, long seed) throws IOException {
        Path file = base.resolve(source.file()).normalize();
        if (!Files.isRegularFile(file)) throw new RecipeException("data.source.file", "manifest " + file.toAbsolutePath() + " not found");
        if (source.task() != CsvManifest.Task.CLASSIFICATION) {
            throw new RecipeException("data.source.task", "regression manifests are not read by this Kinglet version yet; classification is");
        }
        Path root = file.getParent().toAbsolutePath().normalize();
        List<String[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] cells = line.split(",", -1);
            if (i == 0 && cells[0].strip().equalsIgnoreCase("path")) continue; // header
            if (cells.length != 2 || cells[0].isBlank() || cells[1].isBlank()) {
                throw new IOException(file + ":" + (i + 1) + ": expected 'path,label', got '" + line + "'");
            }
            Path p = root.resolve(cells[0].strip()).normalize();
            if (!p.startsWith(root)) throw new IOException(file + ":" + (i + 1) + ": path '" + cells[0].strip() + "' leaves the manifest's folder " + root);
            if (!Files.exists(p)) throw new IOException(file + ":" + (i + 1) + ": image " + p + " not found");
            rows.add(new String[] {p.toString(), cells[1].strip()});
        }
        if (rows.isEmpty()) throw new IOException(file + ": no rows (expected lines 'path,label')");
        List<String> classes = rows.stream().map(r -> r[1]).distinct().sorted().toList();
        List<Labelled> all = rows.stream().map(r -> new Labelled(Path.of(r[0]), classes.indexOf(r[1]))).toList();
        var parts = holdOut(all, classes.size(), data.testFraction(), seed);
        return decode(parts.get(0), parts.get(1), classes, data);
    }

    private static List<String> classFolders(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> classes = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
            if (classes.isEmpty()) throw new IOException(dir + ": no class sub-folders (expected " + dir + "/<class>/<image>.png)");
            return classes;
        } catch (AccessDeniedException e) {
            throw new IOException(dir + ": permission denied", e);
        }
    }

    private static List<Labelled> images(Path classDir, int label) throws IOException {
        try (Stream<Path> s = Files.walk(classDir)) {
            List<Labelled> out = s.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.contains(extension(p)))
                    .sorted(Comparator.comparing(Path::toString))
                    .map(p -> new Labelled(p, label)).toList();
            if (out.isEmpty()) throw new IOException(classDir + ": class folder has no images (" + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ")");
            return out;
        }
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Stratified: {@code fraction} of each class (at least one where the class has two or more) goes to the second list. */
    private static List<List<Labelled>> holdOut(List<Labelled> all, int classes, double fraction, long seed) {
        List<Labelled> train = new ArrayList<>(), test = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            final int cls = c;
            List<Labelled> members = new ArrayList<>(all.stream().filter(l -> l.label() == cls).toList());
            SplittableRandom rng = new SplittableRandom(seed * 7 + c);
            for (int i = members.size() - 1; i > 0; i--) java.util.Collections.swap(members, i, rng.nextInt(i + 1));
            int n = members.size() < 2 ? 0 : Math.max(1, (int) Math.round(members.size() * fraction));
            test.addAll(members.subList(0, n));
            train.addAll(members.subList(n, members.size()));
        }
        return List.of(train, test);
    }

    private record Decoded(byte[] hwc, int height, int width, int channels) {}

    /** Decodes every file (in parallel), converts to one size and channel count, and reports duplicates across splits. */
    private static Datasets.Split decode(List<Labelled> train, List<Labelled> test, List<String> classes, Data data) throws IOException {
        List<Labelled> all = new ArrayList<>(train);
        all.addAll(test);
        List<Decoded> decoded = decodeAll(all);
        int channels = data.channels() != null ? data.channels() : decoded.stream().anyMatch(d -> d.channels() == 3) ? 3 : 1;
        int height, width;
        if (!data.imageSize().isEmpty()) {
            height = data.imageSize().get(0);
            width = data.imageSize().get(1);
        } else {
            height = decoded.get(0).height();
            width = decoded.get(0).width();
            for (int i = 1; i < decoded.size(); i++) {
                if (decoded.get(i).height() != height || decoded.get(i).width() != width) {
                    throw new RecipeException("data.imageSize", "images differ in size (" + height + "x" + width + " in " + all.get(0).file()
                            + ", " + decoded.get(i).height() + "x" + decoded.get(i).width() + " in " + all.get(i).file()
                            + "): set data.imageSize, e.g. [" + height + ", " + width + "]");
                }
            }
        }
        ImageSet trainSet = toSet(decoded.subList(0, train.size()), train, classes, height, width, channels);
        ImageSet testSet = toSet(decoded.subList(train.size(), decoded.size()), test, classes, height, width, channels);
        return new Datasets.Split(trainSet, testSet, duplicates(decoded, all, train.size()),
                "images decoded to " + channels + "x" + height + "x" + width + " (" + channelRule(data, decoded, channels) + ")");
    }

    private static String channelRule(Data data, List<Decoded> decoded, int channels) {
        long rgb = decoded.stream().filter(d -> d.channels() == 3).count(), grey = decoded.size() - rgb;
        if (data.channels() != null) return "data.channels = " + channels + ": " + (channels == 3 ? grey + " grey images repeated to RGB" : rgb + " RGB images to luma");
        return channels == 3 ? (grey > 0 ? "mixed: " + grey + " grey images repeated to RGB" : "all RGB") : "all grey";
    }

    private static List<Decoded> decodeAll(List<Labelled> files) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try {
            List<Future<Decoded>> futures = new ArrayList<>();
            for (Labelled l : files) {
                futures.add(pool.submit(() -> {
                    try (var scope = Scope.image()) {
                        Image img = Image.read(l.file());
                        return new Decoded(img.toBytes(), img.height(), img.width(), img.channels());
                    } catch (AccessDeniedException e) {
                        throw new IOException(l.file() + ": permission denied", e);
                    }
                }));
            }
            List<Decoded> out = new ArrayList<>(files.size());
            for (Future<Decoded> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while decoding images", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static ImageSet toSet(List<Decoded> decoded, List<Labelled> files, List<String> classes, int height, int width, int channels) {
        Pixels px = Pixels.allocate(decoded.size(), height, width, channels);
        int[] labels = new int[decoded.size()];
        List<byte[]> parts = new ArrayList<>();
        try {
            for (int i = 0; i < decoded.size(); i++) {
                Decoded d = decoded.get(i);
                try (var scope = Scope.image()) {
                    byte[] bytes = Image.of(d.hwc(), d.height(), d.width(), d.channels()).toChannels(channels).resize(height, width).toBytes();
                    px.set(i, bytes);
                    parts.add(bytes);
                }
                labels[i] = files.get(i).label();
            }
        } catch (RuntimeException e) {
            px.close();
            throw e;
        }
        byte[] labelBytes = new byte[labels.length * 4];
        java.nio.ByteBuffer.wrap(labelBytes).asIntBuffer().put(labels);
        parts.add(labelBytes);
        return new ImageSet(px, labels, classes, Datasets.digest(parts.toArray(byte[][]::new)));
    }

    /** Test images whose decoded content equals a training image's. */
    private static List<String> duplicates(List<Decoded> decoded, List<Labelled> files, int trainCount) {
        Map<String, Path> seen = new HashMap<>();
        for (int i = 0; i < trainCount; i++) seen.putIfAbsent(Datasets.digest(decoded.get(i).hwc()), files.get(i).file());
        List<String> out = new ArrayList<>();
        for (int i = trainCount; i < decoded.size(); i++) {
            Path twin = seen.get(Datasets.digest(decoded.get(i).hwc()));
            if (twin != null) out.add(files.get(i).file() + " (test) = " + twin + " (train)");
        }
        return out;
    }
}
