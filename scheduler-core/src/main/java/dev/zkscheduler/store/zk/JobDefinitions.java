package dev.zkscheduler.store.zk;

import com.codahale.metrics.Counter;
import dev.zkscheduler.error.JobExistsException;
import dev.zkscheduler.error.VersionConflictException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.codec.CodecException;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job definitions, written directly with optimistic versions by any node (they are not scheduler
 * state, so they need no fencing). Spread over {@value ZkLayout#BUCKETS} buckets, so that listing
 * them never asks for one unbounded parent. Thread-safe.
 */
final class JobDefinitions {

  private static final Logger log = LoggerFactory.getLogger(JobDefinitions.class);

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final PipelinedReader reader;
  private final RecordSizes sizes;
  private final Counter unreadable;

  JobDefinitions(
      CuratorFramework client,
      ZkLayout layout,
      PipelinedReader reader,
      RecordSizes sizes,
      Counter unreadable) {
    this.client = client;
    this.layout = layout;
    this.reader = reader;
    this.sizes = sizes;
    this.unreadable = unreadable;
  }

  Versioned<JobDefinition> create(JobDefinition job) {
    byte[] data = sizes.encodeJob(job);
    return ZkCall.run(
        () -> {
          try {
            Stat stat = new Stat();
            client.create().storingStatIn(stat).forPath(layout.job(job.id()), data);
            return new Versioned<>(job, 0, stat.getCzxid());
          } catch (KeeperException.NodeExistsException e) {
            throw new JobExistsException(job.id());
          }
        });
  }

  Versioned<JobDefinition> put(JobDefinition job, OptionalInt expectedVersion) {
    byte[] data = sizes.encodeJob(job);
    String path = layout.job(job.id());
    return ZkCall.run(
        () -> {
          if (expectedVersion.isPresent()) {
            try {
              Stat stat =
                  client.setData().withVersion(expectedVersion.getAsInt()).forPath(path, data);
              return new Versioned<>(job, stat.getVersion(), stat.getCzxid());
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
              throw new VersionConflictException(
                  "job '" + job.id() + "' is not at version " + expectedVersion.getAsInt());
            }
          }
          while (true) {
            try {
              Stat stat = client.setData().forPath(path, data);
              return new Versioned<>(job, stat.getVersion(), stat.getCzxid());
            } catch (KeeperException.NoNodeException absent) {
              try {
                Stat stat = new Stat();
                client.create().storingStatIn(stat).forPath(path, data);
                return new Versioned<>(job, 0, stat.getCzxid());
              } catch (KeeperException.NodeExistsException raced) {
                // Created concurrently: replace it on the next turn.
              }
            }
          }
        });
  }

  boolean delete(String jobId, OptionalInt expectedVersion) {
    return ZkCall.run(
        () -> {
          try {
            client.delete().withVersion(expectedVersion.orElse(-1)).forPath(layout.job(jobId));
            return true;
          } catch (KeeperException.NoNodeException e) {
            return false;
          } catch (KeeperException.BadVersionException e) {
            throw new VersionConflictException(
                "job '" + jobId + "' is not at version " + expectedVersion.getAsInt());
          }
        });
  }

  Optional<Versioned<JobDefinition>> job(String jobId) {
    return ZkCall.run(() -> reader.read(layout.job(jobId), JobCodec::decode));
  }

  /** Lists every bucket, merges the ids in order and reads only the page's definitions. */
  JobPage page(String afterId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
    return ZkCall.run(
        () -> {
          List<String> ids = new ArrayList<>();
          for (List<String> bucket : reader.listBuckets(layout::jobBucket).values()) {
            for (String id : bucket) {
              if (afterId == null || id.compareTo(afterId) > 0) {
                ids.add(id);
              }
            }
          }
          ids.sort(null);
          List<String> wanted = ids.subList(0, Math.min(limit, ids.size()));
          Map<String, Versioned<JobDefinition>> jobs =
              readable(reader.readAll(wanted.stream().map(layout::job).toList(), this::decode));
          List<Versioned<JobDefinition>> page = new ArrayList<>();
          String last = null;
          for (String id : wanted) {
            Versioned<JobDefinition> job = jobs.get(layout.job(id));
            if (job != null) {
              page.add(job);
              last = id;
            }
          }
          return new JobPage(page, wanted.size() < ids.size() ? last : null);
        });
  }

  /** Every definition, read with pipelined requests: 256 listings, then one read per job. */
  List<Versioned<JobDefinition>> all() {
    return ZkCall.run(
        () -> {
          List<String> paths = new ArrayList<>();
          reader
              .listBuckets(layout::jobBucket)
              .forEach((bucket, ids) -> ids.forEach(id -> paths.add(bucket + "/" + id)));
          List<Versioned<JobDefinition>> all =
              new ArrayList<>(readable(reader.readAll(paths, this::decode)).values());
          all.sort(Comparator.comparing(v -> v.value().id()));
          return all;
        });
  }

  /**
   * Decodes a definition read in bulk; null when it cannot be read. One unreadable definition (an
   * older or newer format, a hand edit) must not fail the listing of every other job, nor a new
   * leader's rebuild: it is counted, logged with its id, and left out.
   */
  private JobDefinition decode(byte[] data) {
    try {
      return JobCodec.decode(data);
    } catch (CodecException e) {
      unreadable.inc();
      log.error("a job definition in ZooKeeper cannot be read and is left out: {}", e.getMessage());
      return null;
    }
  }

  private static Map<String, Versioned<JobDefinition>> readable(
      Map<String, Versioned<JobDefinition>> read) {
    read.values().removeIf(v -> v.value() == null);
    return read;
  }

  /** Every job id: 256 pipelined bucket listings, no definition read. */
  Set<String> allIds() {
    return ZkCall.run(
        () -> {
          Set<String> ids = new HashSet<>();
          reader.listBuckets(layout::jobBucket).values().forEach(ids::addAll);
          return ids;
        });
  }
}
