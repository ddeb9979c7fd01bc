package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.natives.Device;
import dev.kinglet.rundir.Job;
import dev.kinglet.rundir.JobResult;
import dev.kinglet.rundir.RunFiles;

/**
 * Runs a run's pending jobs in worker processes at once, one per device of
 * {@link Runner.Options#workers()} (e.g. two CPU processes with half the threads each, or one
 * process per GPU): the members of a deep ensemble, the seeds of a learning curve and the
 * variants are independent jobs. Job k of the pending list goes to worker k mod N. Each worker is
 * this JVM's command again ({@code run-jobs}, the same class path and JVM options) and writes its
 * console to {@code workers/worker-<k>.log}; its jobs record their outcomes in
 * {@code jobs/<id>/outcome.json}, which this process collects when the workers exit. A job whose
 * worker died without an outcome is failed with the worker's exit code, so {@code --resume} runs
 * it again. Workers stop when this process is stopped or killed.
 */
final class Workers {
    private Workers() {}

    static Map<String, JobResult> run(Path dir, List<Job> pending, Runner.Options o, PrintStream out) throws IOException {
        List<Device> devices = o.workers();
        int n = Math.min(devices.size(), pending.size());
        int threads = Math.max(1, o.threads() / n);
        List<List<Job>> shares = new ArrayList<>();
        for (int k = 0; k < n; k++) shares.add(new ArrayList<>());
        for (int i = 0; i < pending.size(); i++) shares.get(i % n).add(pending.get(i));
        Path logs = Files.createDirectories(dir.resolve("workers"));
        List<Process> processes = new ArrayList<>();
        Thread stopWorkers = new Thread(() -> processes.forEach(Process::destroy), "kinglet-stop-workers");
        Runtime.getRuntime().addShutdownHook(stopWorkers);
        Map<String, JobResult> results = new LinkedHashMap<>();
        try {
            for (int k = 0; k < n; k++) {
                List<String> ids = shares.get(k).stream().map(Job::id).toList();
                Path log = logs.resolve("worker-" + k + ".log");
                Process p = new ProcessBuilder(command(dir, ids, devices.get(k), threads, o.dataBase()))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                processes.add(p);
                out.printf(Locale.ROOT, "worker %d (process %d, %s, %d threads): %d job(s), log %s%n", k, p.pid(), devices.get(k), threads, ids.size(), log);
            }
            for (int k = 0; k < n; k++) {
                int code = waitFor(processes.get(k));
                Path log = logs.resolve("worker-" + k + ".log");
                for (Job job : shares.get(k)) {
                    JobResult r = RunFiles.readOutcome(RunFiles.jobDir(dir, job.id())).orElse(JobResult.failed(job.id(),
                            "worker " + k + " exited with code " + code + " before the job finished; see " + log));
                    results.put(job.id(), r);
                    if (r.isDone()) {
                        out.printf(Locale.ROOT, "job %s (worker %d): %s%n", job.id(), k, r.testAccuracy() != null
                                ? String.format(Locale.ROOT, "test accuracy %.2f%%, trained in %.1f s", 100 * r.testAccuracy(), r.trainSeconds())
                                : String.format(Locale.ROOT, "test R² %.4f, trained in %.1f s", r.testR2(), r.trainSeconds()));
                    } else {
                        out.println("job " + job.id() + " (worker " + k + ") failed: " + r.error());
                    }
                }
            }
        } finally {
            processes.forEach(Process::destroy);
            try {
                Runtime.getRuntime().removeShutdownHook(stopWorkers);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it stops the workers
            }
        }
        return results;
    }

    private static int waitFor(Process p) throws IOException {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for worker process " + p.pid(), e);
        }
    }

    /** This JVM's command line again (its options, class path and system properties), running {@code run-jobs}. */
    static List<String> command(Path dir, List<String> ids, Device device, int threads, Path dataBase) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        boolean nativeAccess = false;
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib:jdwp") || a.startsWith("-Xrunjdwp")) continue; // a debugger port can be taken once
            nativeAccess |= a.startsWith("--enable-native-access");
            cmd.add(a);
        }
        if (!nativeAccess) cmd.add("--enable-native-access=ALL-UNNAMED"); // what the jar's manifest gives `java -jar`
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.kinglet.cli.Main", "run-jobs", dir.toAbsolutePath().toString(),
                "--jobs", String.join(",", ids), "--device", spec(device), "--threads", String.valueOf(threads),
                "--data-base", dataBase.toAbsolutePath().toString(), "--parent", String.valueOf(ProcessHandle.current().pid())));
        return cmd;
    }

    private static String spec(Device d) {
        return switch (d.kind()) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case CUDA -> "cuda:" + d.index();
        };
    }
}
