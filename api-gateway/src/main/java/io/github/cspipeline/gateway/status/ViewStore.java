package io.github.cspipeline.gateway.status;

import io.github.cspipeline.gateway.config.GatewayProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes by key on local disk (RocksDB). It is a cache of what the topics say, rebuilt at every
 * start, so it is wiped when opened and written without a write-ahead log. Memory is bounded by one
 * block cache that also accounts the memtables.
 */
final class ViewStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ViewStore.class);

  static {
    RocksDB.loadLibrary();
  }

  private final Path directory;
  private final boolean temporary;
  private final LRUCache cache;
  private final WriteBufferManager writeBuffers;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  // RocksDB crashes the JVM on use after close; the write lock makes close wait for users.
  private final ReentrantReadWriteLock open = new ReentrantReadWriteLock();
  private boolean closed;

  ViewStore(GatewayProperties.View settings) {
    try {
      temporary = settings.stateDir() == null;
      directory =
          temporary
              ? Files.createTempDirectory("api-gateway-view-")
              : settings.stateDir().resolve("view");
      deleteRecursively(directory);
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the status view's directory", e);
    }
    cache = new LRUCache(settings.blockCache().toBytes());
    writeBuffers = new WriteBufferManager(settings.writeBuffer().toBytes(), cache);
    options =
        new Options()
            .setCreateIfMissing(true)
            .setWriteBufferManager(writeBuffers)
            .setWriteBufferSize(Math.max(settings.writeBuffer().toBytes() / 2, 1 << 20))
            .setMaxWriteBufferNumber(2)
            .setMaxOpenFiles(256)
            .setTableFormatConfig(
                new BlockBasedTableConfig()
                    .setBlockCache(cache)
                    .setCacheIndexAndFilterBlocks(true)
                    .setPinL0FilterAndIndexBlocksInCache(true));
    writeOptions = new WriteOptions().setDisableWAL(true);
    try {
      db = RocksDB.open(options, directory.toString());
    } catch (RocksDBException e) {
      throw new IllegalStateException("Cannot open the status view's store in " + directory, e);
    }
    log.info(
        "Status view store in {} (block cache {}, write buffers {})",
        directory,
        settings.blockCache(),
        settings.writeBuffer());
  }

  @Nullable byte[] get(byte[] key) {
    open.readLock().lock();
    try {
      if (closed) {
        return null;
      }
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("Status view store read failed", e);
    } finally {
      open.readLock().unlock();
    }
  }

  void put(byte[] key, byte[] value) {
    open.readLock().lock();
    try {
      if (!closed) {
        db.put(writeOptions, key, value);
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException("Status view store write failed", e);
    } finally {
      open.readLock().unlock();
    }
  }

  @Override
  public void close() {
    open.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      db.close();
      writeOptions.close();
      options.close();
      writeBuffers.close();
      cache.close();
    } finally {
      open.writeLock().unlock();
    }
    if (temporary) {
      try {
        deleteRecursively(directory);
      } catch (IOException e) {
        log.warn("Could not delete the status view's temporary directory {}", directory, e);
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (var p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
