package dev.kinglet.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.kinglet.natives.Normalization;
import dev.kinglet.weights.WeightRegistry.Entry;

/** The downloader against a local HTTP server that behaves well, and in each of the ways real ones fail. */
class WeightStoreTest {
    private static final int SIZE = 300_000;
    private static final int HALF = SIZE / 2;

    @TempDir
    Path cache;

    private byte[] data;
    private Entry entry;
    private HttpServer server;
    private volatile boolean stopped;
    /** The Range header of each request the server saw ("" when none). */
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newCachedThreadPool();

    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    @BeforeEach
    void fixture() throws Exception {
        data = new byte[SIZE];
        new Random(7).nextBytes(data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        entry = new Entry("fixture", "TEST_V1", "fixture-" + sha.substring(0, 8) + ".pth", sha.substring(0, 8), 1000,
                new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}), 256, 224);
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null && !stopped) server.stop(0);
        handlers.shutdownNow();
    }

    private WeightStore serve(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/models/", exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "" : range);
            try {
                handler.handle(exchange);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return store(server.getAddress().getPort(), Duration.ofSeconds(10));
    }

    private WeightStore store(int port, Duration timeout) {
        return new WeightStore(cache, URI.create("http://127.0.0.1:" + port + "/models"), timeout);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** A well-behaved server: the whole file, or the requested tail with 206. */
    private void honourRange(HttpExchange ex, byte[] body) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range == null) {
            send(ex, 200, body);
            return;
        }
        int from = Integer.parseInt(range.replaceFirst("bytes=(\\d+)-", "$1"));
        if (from >= body.length) {
            ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
            ex.sendResponseHeaders(416, -1);
            return;
        }
        ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        send(ex, 206, Arrays.copyOfRange(body, from, body.length));
    }

    /** Announces the whole file, sends the first half and flushes it. */
    private void sendHalf(HttpExchange ex) throws IOException {
        ex.sendResponseHeaders(200, data.length);
        OutputStream out = ex.getResponseBody();
        out.write(data, 0, HALF);
        out.flush();
    }

    private List<String> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).sorted().toList();
        }
    }

    private Path part() {
        return cache.resolve(entry.fileName() + ".part");
    }

    /** Records what the store tells its listener. */
    static final class Recorder implements WeightStore.Listener {
        final List<String> events = new ArrayList<>();

        @Override
        public void started(Entry e, URI url, long from, long total) {
            events.add("started " + from + "/" + total);
        }

        @Override
        public void transferred(long bytes) {}

        @Override
        public void finished(boolean complete) {
            events.add("finished " + complete);
        }
    }

    @Test
    void downloadsVerifiesAndThenServesFromTheCache() throws IOException {
        WeightStore store = serve(ex -> honourRange(ex, data));
        Recorder rec = new Recorder();
        Path file = store.fetch(entry, false, rec);
        assertThat(file).isEqualTo(cache.resolve(entry.fileName()));
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
        assertThat(rec.events).containsExactly("started 0/" + SIZE, "finished true");
        assertThat(cacheFiles()).containsExactly(entry.fileName());

        Recorder again = new Recorder();
        assertThat(store.fetch(entry, false, again)).isEqualTo(file);
        assertThat(ranges).hasSize(1);
        assertThat(again.events).isEmpty();
    }

    @Test
    void concurrentFetchesDownloadOnce() throws Exception {
        WeightStore store = serve(ex -> honourRange(ex, data));
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) results.add(pool.submit(() -> store.fetch(entry, false, WeightStore.Listener.SILENT)));
            for (Future<Path> r : results) assertThat(Files.readAllBytes(r.get())).isEqualTo(data);
        }
        assertThat(ranges).hasSize(1);
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest() throws IOException {
        Files.write(part(), Arrays.copyOf(data, 100_000));
        WeightStore store = serve(ex -> honourRange(ex, data));
        Recorder rec = new Recorder();
        Path file = store.fetch(entry, false, rec);
        assertThat(ranges).containsExactly("bytes=100000-");
        assertThat(rec.events).containsExactly("started 100000/" + SIZE, "finished true");
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
        assertThat(cacheFiles()).containsExactly(entry.fileName());
    }

    @Test
    void startsOverWhenTheServerIgnoresRange() throws IOException {
        Files.write(part(), Arrays.copyOf(data, 100_000));
        WeightStore store = serve(ex -> send(ex, 200, data));
        Recorder rec = new Recorder();
        Path file = store.fetch(entry, false, rec);
        assertThat(ranges).containsExactly("bytes=100000-");
        assertThat(rec.events).containsExactly("started 0/" + SIZE, "finished true");
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    @Test
    void aResumedFileThatFailsItsDigestIsDownloadedOnceMoreFromScratch() throws IOException {
        byte[] wrongStart = new byte[100_000];
        Files.write(part(), wrongStart);
        WeightStore store = serve(ex -> honourRange(ex, data));
        Path file = store.fetch(entry, false, WeightStore.Listener.SILENT);
        assertThat(ranges).containsExactly("bytes=100000-", "");
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    @Test
    void aPartAsLongAsTheFileGets416AndIsFetchedAfresh() throws IOException {
        Files.write(part(), new byte[SIZE]);
        WeightStore store = serve(ex -> honourRange(ex, data));
        Path file = store.fetch(entry, false, WeightStore.Listener.SILENT);
        assertThat(ranges).containsExactly("bytes=" + SIZE + "-", "");
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
    }

    @Test
    void aWrongDigestIsAnErrorAndLeavesNothingBehind() throws IOException {
        byte[] corrupt = data.clone();
        corrupt[12_345] ^= 1;
        AtomicBoolean fixed = new AtomicBoolean();
        WeightStore store = serve(ex -> honourRange(ex, fixed.get() ? data : corrupt));
        String actual = WeightStore.sha256(writeTemp(corrupt));
        assertThatThrownBy(() -> store.fetch(entry, false, WeightStore.Listener.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(store.url(entry).toString())
                .hasMessageContaining("is " + actual)
                .hasMessageContaining("starting with " + entry.sha256());
        assertThat(cacheFiles()).isEmpty();

        fixed.set(true);
        assertThat(Files.readAllBytes(store.fetch(entry, false, WeightStore.Listener.SILENT))).isEqualTo(data);
        assertThat(ranges).containsExactly("", "");
    }

    private Path writeTemp(byte[] bytes) throws IOException {
        Path p = Files.createTempFile("kinglet-weights", ".bin");
        Files.write(p, bytes);
        p.toFile().deleteOnExit();
        return p;
    }

    @Test
    void aCorruptedCachedFileIsReplaced() throws IOException {
        WeightStore store = serve(ex -> honourRange(ex, data));
        Path file = store.fetch(entry, false, WeightStore.Listener.SILENT);
        Files.write(file, new byte[] {1, 2, 3});
        assertThat(Files.readAllBytes(store.fetch(entry, false, WeightStore.Listener.SILENT))).isEqualTo(data);
        assertThat(ranges).hasSize(2);
    }

    @Test
    void aTransferShorterThanContentLengthIsKeptAsPartAndResumed() throws IOException {
        AtomicBoolean fixed = new AtomicBoolean();
        WeightStore store = serve(ex -> {
            if (fixed.get()) {
                honourRange(ex, data);
                return;
            }
            sendHalf(ex);
            ex.close(); // fewer bytes than announced: the server closes the connection
        });
        Recorder rec = new Recorder();
        assertThatThrownBy(() -> store.fetch(entry, false, rec))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("download of " + store.url(entry) + " broke off after ")
                .hasMessageContaining(" of " + SIZE + " bytes")
                .hasMessageContaining(part().toString());
        assertThat(rec.events).containsExactly("started 0/" + SIZE, "finished false");
        assertThat(cacheFiles()).containsExactly(part().getFileName().toString());
        // the server closes after half; the client may see a little less of it before the EOF
        int received = (int) Files.size(part());
        assertThat(received).isBetween(1, HALF);
        assertThat(Files.readAllBytes(part())).isEqualTo(Arrays.copyOf(data, received));

        fixed.set(true);
        assertThat(Files.readAllBytes(store.fetch(entry, false, WeightStore.Listener.SILENT))).isEqualTo(data);
        assertThat(ranges).containsExactly("", "bytes=" + received + "-");
    }

    @Test
    void aServerThatStopsMidDownloadIsAClearError() throws IOException {
        WeightStore store = serve(ex -> {
            sendHalf(ex);
            handlers.execute(() -> {
                stopped = true;
                server.stop(0);
                release.countDown();
            });
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThatThrownBy(() -> store.fetch(entry, false, WeightStore.Listener.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(store.url(entry).toString())
                .hasMessageContaining("of " + SIZE + " bytes")
                .hasMessageContaining("next fetch resumes");
        assertThat(cacheFiles()).containsExactly(part().getFileName().toString());

        // and with the server gone for good, a clear error before any data
        assertThatThrownBy(() -> store.fetch(entry, false, WeightStore.Listener.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect to " + store.url(entry))
                .hasMessageContaining(cache.resolve(entry.fileName()).toString());
    }

    @Test
    void aConnectionResetMidDownloadIsAClearError() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Future<?> peer = handlers.submit(() -> {
                try (Socket s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder request = new StringBuilder();
                    for (int c; !request.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0; ) request.append((char) c);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(data, 0, HALF);
                    out.flush();
                    Thread.sleep(200);
                    s.setSoLinger(true, 0); // close with RST: "connection reset" on the client
                }
                return null;
            });
            WeightStore store = store(listener.getLocalPort(), Duration.ofSeconds(10));
            assertThatThrownBy(() -> store.fetch(entry, false, WeightStore.Listener.SILENT))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("download of " + store.url(entry) + " broke off after")
                    .hasMessageContaining(part().toString());
            peer.get(10, TimeUnit.SECONDS);
            assertThat(cacheFiles()).containsExactly(part().getFileName().toString());
        }
    }

    @Test
    void aStalledServerTimesOut() throws IOException {
        WeightStore served = serve(ex -> {
            sendHalf(ex);
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        WeightStore store = store(server.getAddress().getPort(), Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> store.fetch(entry, false, WeightStore.Listener.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no data from " + served.url(entry) + " for 1 s after " + HALF + " of " + SIZE + " bytes");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(Files.readAllBytes(part())).isEqualTo(Arrays.copyOf(data, HALF));
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws IOException {
        serve(ex -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        WeightStore store = store(server.getAddress().getPort(), Duration.ofSeconds(1));
        assertThatThrownBy(() -> store.fetch(entry, false, WeightStore.Listener.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no answer from " + store.url(entry) + " within 1 s");
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void anHttpErrorNamesTheUrl() throws IOException {
        WeightStore store = serve(ex -> ex.sendResponseHeaders(404, -1));
        assertThatThrownBy(() -> store.fetch(entry, false, WeightStore.Listener.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(store.url(entry) + " answered HTTP 404")
                .hasMessageContaining("no " + entry.fileName());
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void offlineWithoutTheFileSaysWhatToPlaceWhere() throws IOException {
        WeightStore store = serve(ex -> honourRange(ex, data));
        Files.write(part(), Arrays.copyOf(data, HALF)); // never used offline
        assertThatThrownBy(() -> store.fetch(entry, true, WeightStore.Listener.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("offline")
                .hasMessageContaining("Place " + entry.fileName() + " at " + cache.resolve(entry.fileName()))
                .hasMessageContaining(entry.url().toString())
                .hasMessageContaining(store.url(entry).toString());
        assertThat(ranges).isEmpty();
    }

    @Test
    void offlineWithTheFileCachedReturnsIt() throws IOException {
        WeightStore store = serve(ex -> honourRange(ex, data));
        Files.write(cache.resolve(entry.fileName()), data);
        assertThat(store.fetch(entry, true, WeightStore.Listener.SILENT)).isEqualTo(cache.resolve(entry.fileName()));
        assertThat(ranges).isEmpty();
    }

    @Test
    void offlineWithAWrongFileSaysSoAndDeletesIt() throws IOException {
        Path file = cache.resolve(entry.fileName());
        Files.write(file, new byte[] {1, 2, 3});
        WeightStore store = store(9, Duration.ofSeconds(1)); // port 9 (discard): never contacted
        assertThatThrownBy(() -> store.fetch(entry, true, WeightStore.Listener.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("starting with " + entry.sha256())
                .hasMessageContaining(entry.url().toString());
        assertThat(file).doesNotExist();
    }

    @Test
    void configurationComesFromPropertiesThenEnvironment() {
        Properties props = new Properties();
        props.setProperty("user.home", "/home/u");
        assertThat(WeightStore.fromEnvironment(Map.of(), props))
                .isEqualTo(new WeightStore(Path.of("/home/u/.cache/kinglet/weights"), WeightRegistry.TORCHVISION, Duration.ofSeconds(60)));
        assertThat(WeightStore.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), props).dir()).isEqualTo(Path.of("/xdg/kinglet/weights"));
        assertThat(WeightStore.fromEnvironment(Map.of("XDG_CACHE_HOME", "relative"), props).dir()).isEqualTo(Path.of("/home/u/.cache/kinglet/weights"));
        assertThat(WeightStore.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg", "KINGLET_HOME", "/k"), props).dir()).isEqualTo(Path.of("/k/weights"));
        WeightStore mirrored = WeightStore.fromEnvironment(Map.of("KINGLET_WEIGHTS_URL", "http://mirror.local/tv"), props);
        assertThat(mirrored.url(WeightRegistry.lookup("resnet18", "IMAGENET1K_V1"))).hasToString("http://mirror.local/tv/resnet18-f37072fd.pth");

        props.setProperty(WeightStore.DIR_PROPERTY, "/p");
        props.setProperty(WeightStore.BASE_URL_PROPERTY, "https://other.local/m/");
        props.setProperty(WeightStore.TIMEOUT_PROPERTY, "5");
        WeightStore overridden = WeightStore.fromEnvironment(Map.of("KINGLET_HOME", "/k", "KINGLET_WEIGHTS_URL", "http://mirror.local/tv"), props);
        assertThat(overridden).isEqualTo(new WeightStore(Path.of("/p"), URI.create("https://other.local/m/"), Duration.ofSeconds(5)));

        props.setProperty(WeightStore.BASE_URL_PROPERTY, "file:///tmp/x/");
        assertThatThrownBy(() -> WeightStore.fromEnvironment(Map.of(), props)).hasMessageContaining("file:///tmp/x/");
    }

    @Test
    void plainProgressPrintsOneLinePerTenth() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DownloadProgress progress = new DownloadProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        progress.started(entry, URI.create("http://x/models/" + entry.fileName()), 0, 1000);
        for (long b = 7; b <= 1000; b += 7) progress.transferred(b);
        progress.transferred(1000);
        progress.finished(true);
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(11);
        assertThat(lines.getFirst()).startsWith("downloading " + entry.fileName() + " from http://x/models/");
        assertThat(lines.get(1)).startsWith(entry.fileName() + ": 10% ");
        assertThat(lines.getLast()).startsWith(entry.fileName() + ": 100% ");
    }

    @Test
    void terminalProgressDrawsABar() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DownloadProgress progress = new DownloadProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
        progress.started(entry, URI.create("http://x/models/" + entry.fileName()), 1 << 20, 4 << 20);
        progress.transferred(4 << 20);
        progress.finished(true);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains(entry.fileName()).contains("100%").contains("4/4MiB");
    }
}
