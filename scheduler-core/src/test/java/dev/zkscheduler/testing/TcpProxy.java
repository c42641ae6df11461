package dev.zkscheduler.testing;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy in front of one ZooKeeper server, so a test can partition a client from it.
 * {@link #blackhole()} stops forwarding bytes in both directions while keeping every socket open —
 * to the client it looks like a silent network, so its session times out exactly as in a real
 * partition; {@link #holdReplies()} does the same for the server's bytes only, so a request reaches
 * the server while its answer does not; {@link #heal()} lets the held bytes flow again; {@link
 * #cutAll()} resets every connection (dropping what is held). Thread-safe; each connection uses two
 * daemon threads.
 */
public final class TcpProxy implements Closeable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Object gate = new Object();
  private volatile boolean blackholed;
  private volatile boolean repliesHeld;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  public TcpProxy(int targetPort) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The connect string of the proxy, {@code 127.0.0.1:port}. */
  public String connectString() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  public void blackhole() {
    blackholed = true;
  }

  public void holdReplies() {
    repliesHeld = true;
  }

  public void heal() {
    synchronized (gate) {
      blackholed = false;
      repliesHeld = false;
      gate.notifyAll();
    }
  }

  public void cutAll() {
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  private void acceptLoop() {
    while (!closed.get()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        // As ZooKeeper's own client and server do: without it, Nagle's algorithm and delayed ACKs
        // held the tail of each large multi-op ~40 ms at the proxy (scheduler-bench's failover
        // figure was seconds longer through the proxy than without it).
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        try {
          upstream.connect(target, 2_000);
        } catch (IOException targetDown) {
          // The server behind is down: refuse the client at once, as the server itself would.
          closeQuietly(client);
          closeQuietly(upstream);
          continue;
        }
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream, false);
        pump(upstream, client, true);
      } catch (IOException e) {
        if (closed.get()) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to, boolean reply) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                while (true) {
                  awaitOpen(reply);
                  int n = in.read(buffer);
                  if (n < 0) {
                    break;
                  }
                  // Bytes read while a blackhole starts are held here, not forwarded, until heal().
                  awaitOpen(reply);
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // Connection cut or proxy closed.
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-" + (reply ? "down" : "up") + "-" + server.getLocalPort());
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitOpen(boolean reply) throws InterruptedException {
    synchronized (gate) {
      while ((blackholed || (reply && repliesHeld)) && !closed.get()) {
        gate.wait(100);
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      heal();
      cutAll();
      try {
        server.close();
      } catch (IOException ignored) {
        // Closing anyway.
      }
    }
  }
}
