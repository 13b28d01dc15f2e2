package loupe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * One OpenSearch node on 127.0.0.1 for Loupe's tests.
 *
 * <p>Usage: {@code OpenSearchNode HTTP_PORT TRANSPORT_PORT BASE_DIR}. The node lives
 * until standard input closes (so it dies with the Python process that started it,
 * even if that process is killed) or the JVM is told to stop.
 */
public final class OpenSearchNode {

    private OpenSearchNode() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: OpenSearchNode HTTP_PORT TRANSPORT_PORT BASE_DIR");
            System.exit(2);
        }
        final String httpPort = args[0];
        final String transportPort = args[1];
        final Path baseDir = Paths.get(args[2]).toAbsolutePath();
        Files.createDirectories(baseDir);

        final OpenSearchRunner runner = new OpenSearchRunner();
        // The runner probes ports from 9201 upwards unless told not to; ours is given.
        runner.setMaxHttpPort(-1);
        runner.onBuild((index, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", httpPort);
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            settings.put("cluster.name", "loupe-test");
            settings.put("node.name", "loupe-test-node");
            // A nearly full disk on a developer machine must not turn indices read-only.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
            settings.put("action.auto_create_index", "false");
        });

        final Thread closer = new Thread(() -> closeQuietly(runner), "loupe-node-shutdown");
        Runtime.getRuntime().addShutdownHook(closer);

        runner.build(OpenSearchRunner.newConfigs()
                .basePath(baseDir.toString())
                .numOfNode(1)
                .clusterName("loupe-test"));
        runner.ensureYellow();
        System.out.println("LOUPE-NODE-READY http://127.0.0.1:" + httpPort);
        System.out.flush();

        final InputStream in = System.in;
        final byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // Anything written is ignored; only end-of-file matters.
        }
        System.exit(0); // runs the shutdown hook, which closes the node
    }

    private static void closeQuietly(final OpenSearchRunner runner) {
        try {
            if (!runner.isClosed()) {
                runner.close();
            }
        } catch (final IOException | RuntimeException e) {
            System.err.println("closing node: " + e);
        }
        try {
            runner.clean(); // the data folder is a test's scratch space: leave nothing behind
        } catch (final RuntimeException e) {
            System.err.println("removing node data: " + e);
        }
    }
}
