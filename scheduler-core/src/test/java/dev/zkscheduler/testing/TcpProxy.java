package dev.zkscheduler.testing;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.jute.BinaryInputArchive;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;

/**
 * A loopback TCP proxy in front of one ZooKeeper server, so a test can partition a client from it.
 * {@link #blackhole()} stops forwarding bytes in both directions while keeping every socket open —
 * to the client it looks like a silent network, so its session times out exactly as in a real
 * partition; {@link #holdReplies()} does the same for the server's bytes only, so a request reaches
 * the server while its answer does not; {@link #heal()} lets the held bytes flow again; {@link
 * #cutAll()} resets every connection (dropping what is held). {@link #holdRepliesFromNextMulti}
 * reads the client's requests and holds the server's bytes from the first multi-op that matches, so
 * that exactly that multi reaches the server and its answer does not. Thread-safe; each connection
 * uses two daemon threads.
 */
public final class TcpProxy implements Closeable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Object gate = new Object();
  private volatile boolean blackholed;
  private volatile boolean repliesHeld;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicReference<MultiTrap> trap = new AtomicReference<>();

  /** Armed by {@link #holdRepliesFromNextMulti}: which multi springs it, and who waits for it. */
  private record MultiTrap(Predicate<List<Op>> which, CompletableFuture<List<Op>> sprung) {}

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

  /**
   * Holds the server's replies from the next multi-op request matching {@code which} (its ops as
   * the client sent them, paths with the client's namespace): the request is forwarded, and {@link
   * #holdReplies()} takes effect before it is, so neither its answer nor any later one reaches the
   * client until {@link #heal()} or {@link #cutAll()}. Other requests pass as usual meanwhile. One
   * trap at a time; a new one replaces one not yet sprung.
   *
   * @return completed with the multi's ops when it passed, before the server could answer it
   */
  public CompletableFuture<List<Op>> holdRepliesFromNextMulti(Predicate<List<Op>> which) {
    MultiTrap armed = new MultiTrap(which, new CompletableFuture<>());
    MultiTrap old = trap.getAndSet(armed);
    if (old != null) {
      old.sprung().cancel(false);
    }
    return armed.sprung();
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
        pump(client, upstream, new RequestFrames());
        pump(upstream, client, null);
      } catch (IOException e) {
        if (closed.get()) {
          return;
        }
      }
    }
  }

  /**
   * @param requests null for the server's direction, else the parser of the client's requests
   */
  private void pump(Socket from, Socket to, RequestFrames requests) {
    boolean reply = requests == null;
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
                  if (requests != null) {
                    springTrap(requests.feed(buffer, n));
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

  /**
   * Holds replies before the chunk that completes a multi the armed trap wants is forwarded: the
   * server cannot act on a request before its last byte, so its answer is held.
   */
  private void springTrap(List<List<Op>> multis) {
    for (List<Op> ops : multis) {
      MultiTrap armed = trap.get();
      if (armed == null) {
        return;
      }
      boolean wanted;
      try {
        wanted = armed.which().test(ops);
      } catch (RuntimeException e) {
        if (trap.compareAndSet(armed, null)) {
          armed.sprung().completeExceptionally(e);
        }
        continue;
      }
      if (wanted && trap.compareAndSet(armed, null)) {
        holdReplies();
        armed.sprung().complete(ops);
      }
    }
  }

  /**
   * Splits one connection's client bytes into ZooKeeper request frames (a 4-byte length, then the
   * payload) and decodes the multi-ops among them. The first frame is the connect request, without
   * a request header; every later one starts with a header (xid, op code). Pump thread only.
   */
  private static final class RequestFrames {
    private byte[] pending = new byte[0];
    private boolean connectSeen;

    /** The ops of every multi completed by {@code n} more bytes of {@code chunk}. */
    List<List<Op>> feed(byte[] chunk, int n) throws IOException {
      byte[] all = Arrays.copyOf(pending, pending.length + n);
      System.arraycopy(chunk, 0, all, pending.length, n);
      List<List<Op>> multis = new ArrayList<>();
      int at = 0;
      while (all.length - at >= 4) {
        int length = ByteBuffer.wrap(all, at, 4).getInt();
        if (all.length - at - 4 < length) {
          break;
        }
        int frame = at + 4;
        at = frame + length;
        if (!connectSeen) {
          connectSeen = true;
          continue;
        }
        if (length >= 8 && ByteBuffer.wrap(all, frame + 4, 4).getInt() == ZooDefs.OpCode.multi) {
          MultiOperationRecord multi = new MultiOperationRecord();
          multi.deserialize(
              BinaryInputArchive.getArchive(new ByteArrayInputStream(all, frame + 8, length - 8)),
              "request");
          List<Op> ops = new ArrayList<>();
          multi.forEach(ops::add);
          multis.add(ops);
        }
      }
      pending = Arrays.copyOfRange(all, at, all.length);
      return multis;
    }
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
