package io.glambdar.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.HostConfig;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The baseline: what Docker alone costs to run {@code node -e 0}, through the Engine API and through the CLI. */
final class RawDocker {

    private final DockerClient docker;
    private final String image;
    private final String cli;

    RawDocker(DockerClient docker, String image, String cli) {
        this.docker = docker;
        this.image = image;
        this.cli = cli;
    }

    /** Engine API create + start + wait, timed; the removal afterwards is not. */
    Latencies engineApi(int samples) {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            String id = docker.createContainerCmd(image).withEntrypoint("node").withCmd("-e", "0")
                    .withHostConfig(HostConfig.newHostConfig()).exec().getId();
            docker.startContainerCmd(id).exec();
            int status = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(60, TimeUnit.SECONDS);
            millis.add((System.nanoTime() - start) / 1e6);
            docker.removeContainerCmd(id).withForce(true).exec();
            if (status != 0) {
                throw new IllegalStateException("node -e 0 exited with " + status + " in " + image);
            }
        }
        return Latencies.of("raw Engine API create+start+wait", millis);
    }

    /** {@code docker run --rm <image> node -e 0}, timed from process start to exit. */
    Latencies cliRun(int samples) throws IOException, InterruptedException {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            runOnce();
            millis.add((System.nanoTime() - start) / 1e6);
        }
        return Latencies.of("raw docker run --rm (CLI)", millis);
    }

    void runOnce() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(cli, "run", "--rm", image, "node", "-e", "0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("docker run --rm failed (exit " + process.exitValue() + ")");
        }
    }

    /** {@code docker run --rm} in {@code concurrency} parallel loops for {@code seconds}. */
    Throughput cliThroughput(int concurrency, double seconds) throws InterruptedException {
        return LoadRunner.forDuration("raw docker run --rm (CLI)", concurrency, seconds, () -> {
            try {
                runOnce();
                return LoadRunner.Outcome.OK;
            } catch (IOException e) {
                return LoadRunner.Outcome.ERROR;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return LoadRunner.Outcome.ERROR;
            }
        });
    }
}
