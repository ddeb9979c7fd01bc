package dev.kinglet.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.Autoencoder;
import dev.kinglet.dsl.CsvManifest;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.DataSource;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.ImageFolder;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.UnlabelledFolder;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.Pixels;
import dev.kinglet.natives.Scope;

/**
 * Images used without their labels — an autoencoder's ({@code pretrain.data}) and self-training's
 * ({@code semiSupervised.data}): an {@code unlabelledFolder} (every image under it, converted to
 * the labelled images' channels and size), or another labelled source, of which only the
 * training split is used. Never a test image: a source any of whose images is one of the
 * recipe's test images (the same pixels) is refused, naming them.
 */
public final class UnlabelledData {
    private UnlabelledData() {}

    /**
     * The images, and whether this object owns (and closes) them; {@code what} says where they
     * came from; {@code labelled} whether their labels are the recipe's classes (a labelled
     * source with the same class names), so that pseudo-labels can be scored against them;
     * {@code files} the file of each image of a folder (null for other sources).
     */
    public record Images(ImageSet set, boolean owned, String what, boolean labelled, List<String> files) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) set.close();
        }
    }

    /** The images an autoencoder pre-trains on: {@code pretrain.data}, by default {@code split}'s training images. */
    static Images forPretraining(Recipe r, Datasets.Split split, Path base) throws IOException {
        DataSource source = switch (r.pretrain()) {
            case Autoencoder a -> a.data();
        };
        if (source == null || source.equals(r.data().source())) {
            return new Images(split.train(), false, split.train().size() + " training images of data.source, without their labels", true, null);
        }
        return load(source, "pretrain.data", r, split, base);
    }

    /** The images of {@code source} (given at recipe path {@code path}), shaped as {@code split}'s and checked against its test images. */
    public static Images load(DataSource source, String path, Recipe r, Datasets.Split split, Path base) throws IOException {
        Images images = switch (source) {
            case UnlabelledFolder u -> folder(u, path, r, split.train(), base);
            case IdxSource s -> trainingSplit(s, path, r, split.train(), base);
            case ImageFolder s -> trainingSplit(s, path, r, split.train(), base);
            case CsvManifest s -> trainingSplit(s, path, r, split.train(), base);
            case dev.kinglet.dsl.TableSource t -> throw new RecipeException(path, "is a table; unlabelled data are images (a folder, an idx or csv source)");
        };
        try {
            refuseTestImages(images, path, split.test());
            return images;
        } catch (RuntimeException e) {
            images.close();
            throw e;
        }
    }

    /** The training split of a labelled source, converted as the recipe's data; its test share is dropped unused. */
    private static Images trainingSplit(DataSource source, String path, Recipe r, ImageSet like, Path base) throws IOException {
        Data d = r.data();
        Datasets.Split split = Datasets.load(new Data(source, null, null, d.imageSize(), d.channels(), d.testFraction(), d.skipBadFiles(), null), base, r.seed());
        split.test().close();
        ImageSet set = split.train();
        var px = set.pixels();
        var want = like.pixels();
        if (px.channels() != want.channels() || px.height() != want.height() || px.width() != want.width()) {
            set.close();
            throw new RecipeException(path, "its images are " + px.channels() + "x" + px.height() + "x" + px.width()
                    + " (channels x height x width) but the labelled images are " + want.channels() + "x" + want.height() + "x" + want.width()
                    + ": the network sees one shape; use a source of the same size, or set data.imageSize and data.channels");
        }
        return new Images(set, true, set.size() + " training images of " + path + " (" + Support.typeName(source) + "), without their labels",
                set.classes().equals(like.classes()), null);
    }

    /** Every image file under the folder, decoded and converted to the labelled images' channels and size. */
    private static Images folder(UnlabelledFolder u, String path, Recipe r, ImageSet like, Path base) throws IOException {
        Path dir = base.resolve(u.dir()).normalize();
        if (!Files.isDirectory(dir)) throw new RecipeException(path + ".dir", "folder " + dir.toAbsolutePath() + " not found");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(Datasets::isImage).sorted(Comparator.comparing(Path::toString)).toList();
        }
        if (files.isEmpty()) throw new RecipeException(path + ".dir", "folder " + dir.toAbsolutePath() + " holds no images (png, jpg, jpeg, bmp, tif, tiff, webp)");
        int h = like.pixels().height(), w = like.pixels().width(), c = like.pixels().channels();
        List<byte[]> images = new ArrayList<>(files.size());
        List<String> names = new ArrayList<>(files.size());
        List<String> bad = new ArrayList<>();
        MessageDigest md = sha256();
        for (Path f : files) {
            try (var scope = Scope.image()) {
                byte[] hwc = Image.read(f).toChannels(c).resize(h, w).toBytes();
                images.add(hwc);
                names.add(f.toString());
                md.update(hwc);
            } catch (IOException e) {
                if (!r.data().skipBadFiles()) {
                    throw new IOException(path + ": " + e.getMessage() + " (data.skipBadFiles: true leaves bad files out)", e);
                }
                bad.add(e.getMessage());
            }
        }
        if (images.isEmpty()) throw new RecipeException(path + ".dir", "no image under " + dir.toAbsolutePath() + " could be read: " + bad.get(0));
        Pixels px = Pixels.allocate(images.size(), h, w, c);
        for (int i = 0; i < images.size(); i++) px.set(i, images.get(i));
        ImageSet set = new ImageSet(px, new int[images.size()], List.of("unlabelled"), HexFormat.of().formatHex(md.digest()));
        return new Images(set, true, images.size() + " images under " + dir + ", converted to " + c + "x" + h + "x" + w
                + (bad.isEmpty() ? "" : "; " + bad.size() + " unreadable file(s) left out (data.skipBadFiles), e.g. " + bad.get(0)), false, List.copyOf(names));
    }

    /** Refuses {@code images} if any holds the same pixels as an image of {@code test}, naming up to five. */
    static void refuseTestImages(Images images, String path, ImageSet test) {
        if (test.size() == 0) return;
        var tp = test.pixels();
        var px = images.set().pixels();
        if (tp.channels() != px.channels() || tp.height() != px.height() || tp.width() != px.width()) return;
        Map<String, Integer> testByHash = new HashMap<>();
        for (int i = 0; i < test.size(); i++) testByHash.putIfAbsent(hash(tp.get(test.row(i))), i);
        List<String> found = new ArrayList<>();
        int count = 0;
        List<String> names = images.files();
        for (int i = 0; i < images.set().size(); i++) {
            Integer t = testByHash.get(hash(px.get(images.set().row(i))));
            if (t == null) continue;
            count++;
            if (found.size() < 5) found.add((names != null ? names.get(i) : "image " + i + " of its training split") + " = test image " + t);
        }
        if (count > 0) {
            throw new RecipeException(path, count + " of its " + images.set().size() + " images are test images (the same pixels): " + String.join(", ", found)
                    + (count > found.size() ? ", …" : "") + "; the test split must stay unseen: remove them from the source or choose another");
        }
    }

    private static String hash(byte[] image) {
        return HexFormat.of().formatHex(sha256().digest(image));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
