package dev.kinglet.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
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
 * The images an autoencoder is pre-trained on ({@code pretrain.data}), their labels ignored:
 * by default the recipe's own training split; an {@code unlabelledFolder} (every image under
 * it, converted to the labelled images' channels and size); or another labelled source, of
 * which only the training split is used. Never a test split.
 */
final class PretrainData {
    private PretrainData() {}

    /** The images, and whether this object owns (and closes) them; {@code what} says where they came from. */
    record Images(ImageSet set, boolean owned, String what) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) set.close();
        }
    }

    static Images load(Recipe r, ImageSet train, Path base) throws IOException {
        DataSource source = switch (r.pretrain()) {
            case Autoencoder a -> a.data();
        };
        if (source == null || source.equals(r.data().source())) {
            return new Images(train, false, train.size() + " training images of data.source, without their labels");
        }
        return switch (source) {
            case UnlabelledFolder u -> folder(u, r, train, base);
            case IdxSource s -> trainingSplit(s, r, train, base);
            case ImageFolder s -> trainingSplit(s, r, train, base);
            case CsvManifest s -> trainingSplit(s, r, train, base);
        };
    }

    /** The training split of a labelled source, converted as the recipe's data; its test share is dropped unused. */
    private static Images trainingSplit(DataSource source, Recipe r, ImageSet like, Path base) throws IOException {
        Data d = r.data();
        Datasets.Split split = Datasets.load(new Data(source, null, null, d.imageSize(), d.channels(), d.testFraction(), d.skipBadFiles(), null), base, r.seed());
        split.test().close();
        ImageSet set = split.train();
        var px = set.pixels();
        var want = like.pixels();
        if (px.channels() != want.channels() || px.height() != want.height() || px.width() != want.width()) {
            set.close();
            throw new RecipeException("pretrain.data", "its images are " + px.channels() + "x" + px.height() + "x" + px.width()
                    + " (channels x height x width) but the labelled images are " + want.channels() + "x" + want.height() + "x" + want.width()
                    + ": the encoder sees one shape; use a source of the same size, or set data.imageSize and data.channels");
        }
        return new Images(set, true, set.size() + " training images of pretrain.data (" + Support.typeName(source) + "), without their labels");
    }

    /** Every image file under the folder, decoded and converted to the labelled images' channels and size. */
    private static Images folder(UnlabelledFolder u, Recipe r, ImageSet like, Path base) throws IOException {
        Path dir = base.resolve(u.dir()).normalize();
        if (!Files.isDirectory(dir)) throw new RecipeException("pretrain.data.dir", "folder " + dir.toAbsolutePath() + " not found");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(Datasets::isImage).sorted(Comparator.comparing(Path::toString)).toList();
        }
        if (files.isEmpty()) throw new RecipeException("pretrain.data.dir", "folder " + dir.toAbsolutePath() + " holds no images (png, jpg, jpeg, bmp, tif, tiff, webp)");
        int h = like.pixels().height(), w = like.pixels().width(), c = like.pixels().channels();
        List<byte[]> images = new ArrayList<>(files.size());
        List<String> bad = new ArrayList<>();
        MessageDigest md = sha256();
        for (Path f : files) {
            try (var scope = Scope.image()) {
                byte[] hwc = Image.read(f).toChannels(c).resize(h, w).toBytes();
                images.add(hwc);
                md.update(hwc);
            } catch (IOException e) {
                if (!r.data().skipBadFiles()) {
                    throw new IOException("pretrain.data: " + e.getMessage() + " (data.skipBadFiles: true leaves bad files out)", e);
                }
                bad.add(e.getMessage());
            }
        }
        if (images.isEmpty()) throw new RecipeException("pretrain.data.dir", "no image under " + dir.toAbsolutePath() + " could be read: " + bad.get(0));
        Pixels px = Pixels.allocate(images.size(), h, w, c);
        for (int i = 0; i < images.size(); i++) px.set(i, images.get(i));
        ImageSet set = new ImageSet(px, new int[images.size()], List.of("unlabelled"), HexFormat.of().formatHex(md.digest()));
        return new Images(set, true, images.size() + " images under " + dir + ", converted to " + c + "x" + h + "x" + w
                + (bad.isEmpty() ? "" : "; " + bad.size() + " unreadable file(s) left out (data.skipBadFiles), e.g. " + bad.get(0)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
