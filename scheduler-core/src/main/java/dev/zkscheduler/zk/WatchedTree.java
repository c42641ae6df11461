package dev.zkscheduler.zk;

import dev.zkscheduler.lifecycle.Lifecycle;
import java.io.Closeable;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mirror of the znodes at one depth under a root (the leaves: {@code /jobs/{bucket}/{job}} is
 * depth 2 under {@code /jobs}), kept by one persistent recursive watch, and a listener told of
 * every leaf created, changed or deleted. What it costs ZooKeeper is chosen per tree: a created or
 * changed leaf is read only when the owner needs its data ({@link Reads}).
 *
 * <p><b>Loading.</b> Each time the watch is registered (at start, and again after every reconnect:
 * ZooKeeper does not replay what a persistent watch missed while disconnected) the tree is listed
 * level by level (after a {@code sync}) and the leaves are read in multi-reads ({@link
 * ReadBatches}), about 256 znodes in flight. A leaf that a listing no longer names is deleted; a
 * leaf read again at the same version and creation is not told again. A load still running when the
 * watch is registered again is stopped: the new one covers it.
 *
 * <p><b>Order.</b> ZooKeeper answers a session's requests in order, and sends a watch event before
 * the answer to any request made after the change; the events and the answers all arrive on the
 * client handle's one event thread. So every event and answer is applied in the order it arrived,
 * and the last one for a leaf is its current state (no version comparison is needed, and none would
 * be possible for a deletion). Across a new session (a new handle, perhaps on a server further
 * behind) the load's {@code sync} keeps the tree from stepping back. Changes are applied, and the
 * listener called, on one thread (the tree's own or the owner's), in that order: the event thread
 * never waits for a listener.
 *
 * <p>A leaf created while connected is known from its event alone when its data is not needed:
 * ZooKeeper 3.9 and later put the creating transaction's zxid, the leaf's creation ({@code czxid}),
 * in the event. A server that does not is read as for {@link Reads#ALL}.
 *
 * <p>Lifecycle: {@link #start()} once, or it throws {@link IllegalStateException}, also after
 * close; {@link #close()} is idempotent, harmless before start, and never throws.
 */
public final class WatchedTree implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(WatchedTree.class);

  static final byte[] EMPTY = new byte[0];

  /** What a watch event makes the tree read. A load reads every leaf it does not know. */
  public enum Reads {
    /** Created and changed leaves are read: the tree holds every leaf's data. */
    ALL,
    /**
     * Changed leaves are read; a created one is taken as empty (its creator writes it empty) and
     * read only by a load.
     */
    CHANGES,
    /**
     * Nothing is read after an event: created leaves are taken as empty, changes are not seen (only
     * a load reads, and only leaves it does not know).
     */
    NONE
  }

  /** A leaf as the tree holds it: its data, version and creation ({@code czxid}). */
  public record Leaf(String path, byte[] data, int version, long created) {

    /** The leaf's name: the last segment of its path. */
    public String name() {
      return path.substring(path.lastIndexOf('/') + 1);
    }
  }

  /** Told of changes, one at a time, on the tree's own thread; must hand off anything slow. */
  public interface Listener {
    void created(Leaf leaf);

    void changed(Leaf before, Leaf after);

    void deleted(Leaf leaf);

    /** A load read the whole tree; {@code first} for the first one. */
    default void loaded(int leaves, long millis, boolean first) {}
  }

  private final CuratorFramework client;
  private final String root;
  private final int depth;
  private final Reads reads;
  private final boolean keepData;
  private final Listener listener;
  private final Watcher watcher = this::process;
  private final ConnectionStateListener connection = this::connectionChanged;
  private final Lifecycle lifecycle;
  private final Executor applying;
  private final ExecutorService owned;
  private final ConcurrentSkipListMap<String, Leaf> leaves = new ConcurrentSkipListMap<>();
  private final AtomicReference<TreeLoad> load = new AtomicReference<>();
  private volatile boolean loaded;

  /** Whether the latest load is complete: false while a load after a reconnect reads. */
  private volatile boolean current;

  /**
   * A tree whose changes are applied, and its listener called, on a thread of its own.
   *
   * @param root the watched path, without the client's namespace
   * @param depth how far below {@code root} the leaves are (1: its children)
   * @param keepData whether the tree keeps each leaf's data once the listener has had it (a tree
   *     that decodes every leaf into a form of its own need not hold the bytes too)
   * @param thread the name of that thread
   */
  public WatchedTree(
      CuratorFramework client,
      String root,
      int depth,
      Reads reads,
      boolean keepData,
      String thread,
      Listener listener) {
    this(client, root, depth, reads, keepData, ownThread(thread), true, listener);
  }

  /**
   * A tree whose changes are applied, and its listener called, on {@code applying}, which must run
   * its tasks one at a time in the order given (a single thread the owner shares with its other
   * events, so that they are ordered with them); the tree does not shut it down.
   */
  public WatchedTree(
      CuratorFramework client,
      String root,
      int depth,
      Reads reads,
      boolean keepData,
      Executor applying,
      Listener listener) {
    this(client, root, depth, reads, keepData, applying, false, listener);
  }

  private WatchedTree(
      CuratorFramework client,
      String root,
      int depth,
      Reads reads,
      boolean keepData,
      Executor applying,
      boolean owned,
      Listener listener) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be at least 1: " + depth);
    }
    this.client = client;
    this.root = root;
    this.depth = depth;
    this.reads = reads;
    this.keepData = keepData;
    this.listener = listener;
    this.lifecycle = new Lifecycle("WatchedTree " + root);
    this.applying = applying;
    this.owned = owned ? (ExecutorService) applying : null;
  }

  private static ExecutorService ownThread(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Registers the watch; the first load's changes, then {@link Listener#loaded}, arrive on the
   * tree's thread.
   *
   * @throws IllegalStateException if started twice or after close
   */
  public void start() {
    lifecycle.start();
    client.getConnectionStateListenable().addListener(connection);
    register();
  }

  /**
   * (Re)connected: the watch is registered on the current handle (a new session's handle has no
   * watches; on the same session it is there already, and adding it again changes nothing), and
   * then the tree is loaded again, since ZooKeeper does not replay what a persistent watch missed.
   */
  private void connectionChanged(CuratorFramework c, ConnectionState state) {
    if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
      register();
    } else if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
      current = false; // events are missed from now until the next load completes
    }
  }

  /**
   * Registers the watch with ZooKeeper's own client, not through Curator: Curator hands a watch's
   * events over as new ones without the transaction's zxid, which a tree that reads nothing on a
   * creation takes the leaf's creation from.
   */
  private void register() {
    if (lifecycle.state() != Lifecycle.State.STARTED) {
      return;
    }
    ZooKeeper zk;
    try {
      zk = client.getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      log.debug("watch on {} not registered yet: {}", root, e.toString());
      return; // registered when the connection comes
    }
    // A sync first: a new session may have reached a server behind the one the old session read
    // from, and its events and answers would step the tree back in time.
    zk.sync(
        absolute(root),
        (syncRc, syncPath, syncCtx) -> {
          if (syncRc != KeeperException.Code.OK.intValue()) {
            // Not connected: registered again when the connection comes back.
            log.debug("watch on {} not registered: {}", root, KeeperException.Code.get(syncRc));
            return;
          }
          zk.addWatch(
              absolute(root),
              watcher,
              AddWatchMode.PERSISTENT_RECURSIVE,
              (rc, path, ctx) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                  reload(zk);
                } else {
                  log.debug("watch on {} not registered: {}", root, KeeperException.Code.get(rc));
                }
              },
              null);
        },
        null);
  }

  /** Whether a load has read the whole tree at least once. */
  public boolean isLoaded() {
    return loaded;
  }

  /**
   * Whether the tree is as current as its watch: its latest load (after start, or after the last
   * reconnect) is complete. While a load after a reconnect runs, the tree may miss what changed
   * while it was disconnected.
   */
  public boolean isCurrent() {
    return current;
  }

  /**
   * Whether the tree is on its way to being current: started, connected, and its watch being
   * registered or its load reading (not abandoned for a lost connection). False once current.
   */
  public boolean isCatchingUp() {
    if (current || !isOpen() || !client.getZookeeperClient().isConnected()) {
      return false;
    }
    TreeLoad running = load.get();
    return running == null || !running.isAbandoned();
  }

  /** The leaf at {@code path}, as the tree holds it. */
  public Optional<Leaf> get(String path) {
    return Optional.ofNullable(leaves.get(path));
  }

  /** Every leaf the tree holds, by path; a live view, weakly consistent. */
  public Collection<Leaf> leaves() {
    return leaves.values();
  }

  /** A watch event, on the session's event thread. */
  private void process(WatchedEvent event) {
    if (lifecycle.state() != Lifecycle.State.STARTED) {
      return;
    }
    String path = relative(event.getPath());
    if (path == null || !isLeaf(path)) {
      return;
    }
    switch (event.getType()) {
      case NodeCreated -> {
        if (reads == Reads.ALL || event.getZxid() == WatchedEvent.NO_ZXID) {
          readOne(path);
        } else {
          long created = event.getZxid();
          apply(() -> put(path, EMPTY, 0, created));
        }
      }
      case NodeDataChanged -> {
        if (reads != Reads.NONE) {
          readOne(path);
        }
      }
      case NodeDeleted -> apply(() -> remove(path));
      default -> {
        // Connection states: the load after the watch is registered again covers them.
      }
    }
  }

  private void readOne(String path) {
    ZooKeeper zk;
    try {
      zk = client.getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      return; // closing, or no connection: the load after reconnecting reads it
    }
    zk.getData(
        absolute(path),
        false,
        (rc, p, ctx, data, stat) -> {
          KeeperException.Code code = KeeperException.Code.get(rc);
          if (code == KeeperException.Code.OK) {
            apply(() -> put(path, data, stat.getVersion(), stat.getCzxid()));
          } else if (code == KeeperException.Code.NONODE) {
            apply(() -> remove(path));
          } else {
            log.debug("reading {} after its event failed: {}", path, code);
          }
        },
        null);
  }

  /** The watch is (again) registered on {@code zk}: the whole tree is read again. */
  private void reload(ZooKeeper zk) {
    if (lifecycle.state() != Lifecycle.State.STARTED) {
      return;
    }
    current = false;
    TreeLoad next = new TreeLoad(this, zk);
    TreeLoad before = load.getAndSet(next);
    if (before != null) {
      before.stop("a newer load replaces it");
    }
    next.start();
  }

  /** Runs {@code change} on the tree's thread, after every change that arrived before it. */
  void apply(Runnable change) {
    try {
      applying.execute(
          () -> {
            if (lifecycle.state() != Lifecycle.State.STARTED) {
              return; // closed: nobody listens any more
            }
            try {
              change.run();
            } catch (RuntimeException e) {
              // A listener's failure must not stop the changes after it.
              log.error("applying a change under {} failed: {}", root, e.toString(), e);
            }
          });
    } catch (RejectedExecutionException closed) {
      // Closed: nobody listens any more.
    }
  }

  void put(String path, byte[] data, int version, long created) {
    Leaf before = leaves.get(path);
    if (before != null && before.version() == version && before.created() == created) {
      return; // read again by a load, unchanged
    }
    Leaf after = new Leaf(path, data, version, created);
    leaves.put(path, keepData ? after : new Leaf(path, EMPTY, version, created));
    if (before == null) {
      listener.created(after);
    } else {
      listener.changed(before, after);
    }
  }

  void remove(String path) {
    Leaf gone = leaves.remove(path);
    if (gone != null) {
      listener.deleted(gone);
    }
  }

  /** Leaves under {@code parent} whose next segment {@code names} does not hold are deleted. */
  void keepOnly(String parent, Set<String> names) {
    String prefix = parent + "/";
    for (String path : List.copyOf(leaves.subMap(prefix, parent + "0").keySet())) {
      int end = path.indexOf('/', prefix.length());
      String next = path.substring(prefix.length(), end < 0 ? path.length() : end);
      if (!names.contains(next)) {
        remove(path);
      }
    }
  }

  private boolean isLeaf(String path) {
    if (!path.startsWith(root + "/")) {
      return false;
    }
    int segments = 0;
    for (int i = root.length(); i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        segments++;
      }
    }
    return segments == depth;
  }

  /** {@code path} without the client's namespace; null when it is outside it. */
  private String relative(String path) {
    String namespace = client.getNamespace();
    if (path == null || namespace == null || namespace.isEmpty()) {
      return path;
    }
    String prefix = "/" + namespace;
    return path.startsWith(prefix + "/") ? path.substring(prefix.length()) : null;
  }

  String absolute(String path) {
    return ZKPaths.fixForNamespace(client.getNamespace(), path);
  }

  @Override
  public void close() {
    if (lifecycle.close() == Lifecycle.State.STARTED) {
      client.getConnectionStateListenable().removeListener(connection);
      try {
        ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
        // Removed on the client when the server answers, or at once if it cannot (local); the
        // server's side goes with the session. Events still in flight are dropped (closed).
        zk.removeWatches(
            absolute(root), watcher, Watcher.WatcherType.Any, true, (rc, path, ctx) -> {}, null);
      } catch (Exception e) {
        log.debug("watch on {} not removed: {}", root, e.toString());
      }
      TreeLoad running = load.get();
      if (running != null) {
        running.stop("the tree is closed");
      }
    }
    if (owned != null) {
      owned.shutdownNow();
    }
  }

  String root() {
    return root;
  }

  int depth() {
    return depth;
  }

  /** Whether a load must read a listed leaf: always, unless the tree reads nothing and knows it. */
  boolean mustRead(String path) {
    return reads != Reads.NONE || !leaves.containsKey(path);
  }

  boolean isOpen() {
    return lifecycle.state() == Lifecycle.State.STARTED;
  }

  /** On the tree's thread: {@code finished} read the whole tree. */
  void loadComplete(TreeLoad finished, int count, long millis, boolean first) {
    loaded = true;
    if (load.get() == finished) {
      current = true;
    }
    listener.loaded(count, millis, first);
  }
}
