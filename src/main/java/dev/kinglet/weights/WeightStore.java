package dev.kinglet.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kinglet.util.AtomicFiles;
import dev.kinglet.weights.WeightRegistry.Entry;

/**
 * A cache of published weight files in {@code dir}, filled over HTTP from {@code baseUrl}
 * (TorchVision's server, or a mirror serving the same file names).
 *
 * <p>A file in the cache is always whole and verified: it is downloaded to {@code <name>.part},
 * checked against its Content-Length and SHA-256 (see {@link Entry} for what is known of the
 * digest), forced to disk and renamed into place. A {@code .part} left by a broken transfer is
 * only ever resumed (HTTP Range) and verified like a fresh download, never returned. A cached
 * file is verified again on every fetch (about 0.1 s per 100 MB), so a damaged or misplaced copy
 * is caught rather than loaded. Concurrent
 * fetches of one file, in this process or others sharing the cache, take turns on
 * {@code <name>.lock}.
 *
 * @param timeout for connecting, for the response headers, and for any pause in the body
 */
public record WeightStore(Path dir, URI baseUrl, Duration timeout) {
    /** Cache directory override, for tests and unusual setups. */
    public static final String DIR_PROPERTY = "kinglet.weights.dir";
    /** Mirror serving TorchVision's file names, e.g. {@code http://mirror.internal/torchvision/}. */
    public static final String BASE_URL_PROPERTY = "kinglet.weights.baseUrl";
    public static final String BASE_URL_ENV = "KINGLET_WEIGHTS_URL";
    public static final String TIMEOUT_PROPERTY = "kinglet.weights.timeoutSeconds";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    // one monitor per cache file: FileLock excludes other processes but not other threads of this one
    private static final ConcurrentHashMap<Path, Object> IN_PROCESS = new ConcurrentHashMap<>();

    public WeightStore {
        if (dir == null) throw new IllegalArgumentException("weight cache directory missing, e.g. ~/.cache/kinglet/weights");
        if (baseUrl == null || !baseUrl.isAbsolute() || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))) {
            throw new IllegalArgumentException("weights base URL '" + baseUrl + "' must be an http(s) URL, e.g. " + WeightRegistry.TORCHVISION);
        }
        if (!baseUrl.getPath().endsWith("/")) baseUrl = URI.create(baseUrl + "/");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("download timeout must be positive, e.g. 60 s, got " + timeout);
        }
    }

    /** Told how a download goes; called on the fetching thread. */
    public interface Listener {
        /** A transfer from {@code url} begins at byte {@code from} (resumed) of {@code total} bytes (-1: not announced). */
        void started(Entry entry, URI url, long from, long total);

        /** {@code bytes} of the file are on disk, the resumed part included. */
        void transferred(long bytes);

        /** The transfer ended, {@code complete}ly or not; the digest is checked after this. */
        void finished(boolean complete);

        Listener SILENT = new Listener() {
            @Override
            public void started(Entry entry, URI url, long from, long total) {}

            @Override
            public void transferred(long bytes) {}

            @Override
            public void finished(boolean complete) {}
        };
    }

    /** The store configured by this process's environment and system properties. */
    public static WeightStore fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperties());
    }

    /**
     * Cache directory: property {@value #DIR_PROPERTY}, else {@code $KINGLET_HOME/weights}, else
     * {@code $XDG_CACHE_HOME/kinglet/weights} (an absolute one, as the XDG spec asks), else
     * {@code ~/.cache/kinglet/weights}. Base URL: property {@value #BASE_URL_PROPERTY}, else
     * {@code $KINGLET_WEIGHTS_URL}, else TorchVision's. Timeout: property
     * {@value #TIMEOUT_PROPERTY}, else 60 s.
     */
    static WeightStore fromEnvironment(Map<String, String> env, Properties props) {
        Path dir;
        if (set(props.getProperty(DIR_PROPERTY))) dir = Path.of(props.getProperty(DIR_PROPERTY));
        else if (set(env.get("KINGLET_HOME"))) dir = Path.of(env.get("KINGLET_HOME"), "weights");
        else if (set(env.get("XDG_CACHE_HOME")) && Path.of(env.get("XDG_CACHE_HOME")).isAbsolute()) dir = Path.of(env.get("XDG_CACHE_HOME"), "kinglet", "weights");
        else dir = Path.of(props.getProperty("user.home"), ".cache", "kinglet", "weights");
        String base = set(props.getProperty(BASE_URL_PROPERTY)) ? props.getProperty(BASE_URL_PROPERTY)
                : set(env.get(BASE_URL_ENV)) ? env.get(BASE_URL_ENV) : WeightRegistry.TORCHVISION.toString();
        Duration timeout = DEFAULT_TIMEOUT;
        String seconds = props.getProperty(TIMEOUT_PROPERTY);
        if (set(seconds)) {
            try {
                timeout = Duration.ofSeconds(Long.parseLong(seconds.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(TIMEOUT_PROPERTY + " '" + seconds + "' must be whole seconds, e.g. 60");
            }
        }
        try {
            return new WeightStore(dir, new URI(base.strip()), timeout);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("weights base URL '" + base + "' (" + BASE_URL_PROPERTY + " or " + BASE_URL_ENV + ") is not a URL: " + e.getMessage());
        }
    }

    private static boolean set(String s) {
        return s != null && !s.isBlank();
    }

    /** Where {@code entry} lives in the cache once fetched. */
    public Path cached(Entry entry) {
        return dir.resolve(entry.fileName());
    }

    /** Where {@code entry} is downloaded from: {@code baseUrl} plus the published file name. */
    public URI url(Entry entry) {
        return baseUrl.resolve(entry.fileName());
    }

    /**
     * The cached file of {@code entry}, verified; downloaded first when missing (or when the cached
     * copy fails its digest, which is then deleted), resuming a {@code .part} a broken transfer left.
     * {@code offline} never touches the network and says where to place a missing file.
     *
     * @throws IOException naming the URL or path: offline and missing, an HTTP error, a transfer
     *                     that broke off or stalled (its bytes kept for the next fetch to resume),
     *                     or a digest mismatch (expected and actual digest; nothing cached)
     */
    public Path fetch(Entry entry, boolean offline, Listener progress) throws IOException {
        Path file = cached(entry);
        if (verifiedOrDeleted(entry, file, offline)) return file;
        if (offline) {
            throw new IOException("offline: " + entry + " is not in the weight cache. Place " + entry.fileName() + " at " + file
                    + " (download it on a machine with internet from " + entry.url()
                    + (url(entry).equals(entry.url()) ? "" : " or " + url(entry)) + "), or fetch without offline");
        }
        Files.createDirectories(dir);
        synchronized (IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Object())) {
            try (FileChannel lock = FileChannel.open(file.resolveSibling(entry.fileName() + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock _ = lock.lock()) {
                // another process may have completed it while this one waited
                if (verifiedOrDeleted(entry, file, false)) return file;
                download(entry, file, progress);
                return file;
            }
        }
    }

    /** True when {@code file} is there and passes its digest; a file that fails is deleted. */
    private boolean verifiedOrDeleted(Entry entry, Path file, boolean offline) throws IOException {
        if (!Files.isRegularFile(file)) return false;
        String actual = sha256(file);
        if (actual.startsWith(entry.sha256())) return true;
        Files.deleteIfExists(file);
        if (offline) {
            throw new IOException(file + " is not " + entry + ": its SHA-256 is " + actual + ", expected one starting with " + entry.sha256()
                    + "; deleted it. Place the file from " + entry.url() + " there, or fetch without offline");
        }
        return false;
    }

    private void download(Entry entry, Path file, Listener progress) throws IOException {
        Path part = file.resolveSibling(entry.fileName() + ".part");
        URI url = url(entry);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1).build()) {
            // each retry below first deletes the .part, so the second round starts from 0 and cannot retry again
            while (true) {
                long from = Files.isRegularFile(part) ? Files.size(part) : 0;
                if (!transfer(client, entry, url, part, from, progress)) {
                    Files.delete(part);
                    continue;
                }
                String actual = sha256(part);
                if (!actual.startsWith(entry.sha256())) {
                    Files.delete(part);
                    if (from > 0) continue; // the resumed bytes may be the bad ones: once more from scratch
                    throw new IOException("SHA-256 of " + url + " is " + actual + ", expected one starting with " + entry.sha256()
                            + "; deleted the download, nothing was cached in " + dir);
                }
                AtomicFiles.commit(part, file);
                return;
            }
        }
    }

    /**
     * Fetches {@code url} into {@code part}, continuing after its first {@code from} bytes when the
     * server honours Range. False when the server cannot continue from there (416, or a range that
     * starts elsewhere), which only happens with {@code from > 0}.
     */
    private boolean transfer(HttpClient client, Entry entry, URI url, Path part, long from, Listener progress) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).GET();
        if (from > 0) request.header("Range", "bytes=" + from + "-");
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new IOException("no answer from " + url + " within " + timeout.toSeconds() + " s (" + WeightStore.TIMEOUT_PROPERTY + ")", e);
        } catch (ConnectException e) {
            throw new IOException("cannot connect to " + url + " (refused or unreachable: " + cause(e) + "). Without internet, place " + entry.fileName() + " at "
                    + cached(entry) + " and fetch offline, or set " + BASE_URL_ENV + " to a mirror", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while requesting " + url);
        } catch (IOException e) {
            throw new IOException("request for " + url + " failed: " + cause(e), e);
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            long start;
            long total;
            if (status == 200) {
                start = 0; // a server that ignores Range sends the whole file again
                total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            } else if (status == 206 && from > 0) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != from) return false;
                start = from;
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
                OptionalLong length = response.headers().firstValueAsLong("Content-Length");
                if (length.isPresent() && length.getAsLong() != Long.parseLong(m.group(2)) - from + 1) {
                    throw new IOException(url + " answered range " + m.group() + " with Content-Length " + length.getAsLong());
                }
            } else if (status == 416 && from > 0) {
                return false;
            } else {
                throw new IOException(url + " answered HTTP " + status + (status == 404 ? ": the server has no " + entry.fileName()
                        + (url(entry).equals(entry.url()) ? "" : " (is " + baseUrl + " a mirror of " + WeightRegistry.TORCHVISION + "?)") : ""));
            }
            receive(entry, url, body, part, start, total, progress);
            return true;
        }
    }

    private void receive(Entry entry, URI url, InputStream body, Path part, long start, long total, Listener progress) throws IOException {
        String of = total < 0 ? "" : " of " + total;
        String kept = "; the bytes received are kept in " + part + " and the next fetch resumes from there";
        // a stalled body blocks read() with no timeout of its own, so each read runs on a thread the caller waits for
        try (ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor();
             FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(start);
            out.position(start);
            long done = start;
            boolean complete = false;
            progress.started(entry, url, start, total);
            try {
                byte[] buf = new byte[1 << 18];
                while (true) {
                    int n;
                    Future<Integer> read = reader.submit(() -> body.read(buf));
                    try {
                        n = read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        reader.shutdownNow(); // interrupts the blocked read, or closing the executor would wait for it
                        throw new IOException("no data from " + url + " for " + timeout.toSeconds() + " s after " + done + of + " bytes" + kept, e);
                    } catch (ExecutionException e) {
                        throw new IOException("download of " + url + " broke off after " + done + of + " bytes (" + cause(e.getCause()) + ")" + kept, e.getCause());
                    } catch (InterruptedException e) {
                        reader.shutdownNow();
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while downloading " + url + " after " + done + of + " bytes" + kept);
                    }
                    if (n < 0) break;
                    ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
                    while (chunk.hasRemaining()) out.write(chunk);
                    done += n;
                    if (total >= 0 && done > total) throw new IOException(url + " sent more than the " + total + " bytes it announced");
                    progress.transferred(done);
                }
                if (total >= 0 && done < total) {
                    throw new IOException("download of " + url + " ended after " + done + of + " bytes (the server closed the connection early)" + kept);
                }
                complete = true;
            } finally {
                progress.finished(complete);
            }
        }
    }

    /** The innermost cause's message, or its class where it has none (ConnectException often has none). */
    private static String cause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** Lower-case hex SHA-256 of a file. */
    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (in.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
