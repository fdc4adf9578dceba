using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Sluice.Checkpoints;
using Sluice.Utils;

namespace Sluice;

// Run records, leases and the operator's view of the checkpoints, kept beside the checkpoint files:
//   runs/<run id>.json            one file per run, replaced atomically at start and end
//   leases/<instance>.lease.json  the current holder of an instance and when its lease expires
//   leases/<instance>.lock        held exclusively (an OS file lock) only while a lease is read and changed
public sealed partial class FileCheckpointStore : IPipelineRunStore, IPipelineLeaseStore, ICheckpointCatalog
{
    private const string RunSuffix = ".json";
    private const string LeaseSuffix = ".lease.json";
    private static readonly TimeSpan s_lockWait = TimeSpan.FromSeconds(10);

    /// <summary>Gets the directory holding the run records.</summary>
    public string RunsDirectory => Path.Combine(Directory, "runs");

    /// <summary>Gets the directory holding the instance leases.</summary>
    public string LeasesDirectory => Path.Combine(Directory, "leases");

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="run"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The run id is not a plain file name.</exception>
    public async ValueTask SaveRunAsync(PipelineRunRecord run, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        var content = JsonSerializer.SerializeToUtf8Bytes(run, SluiceJsonContext.Default.PipelineRunRecord);
        await DurableFile.WriteAtomicallyAsync(RunPath(run.RunId, nameof(run)), content).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is empty or not a plain file name.</exception>
    /// <exception cref="CorruptFileException">The run's file cannot be read.</exception>
    public async ValueTask<PipelineRunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        var path = RunPath(runId, nameof(runId));
        return File.Exists(path) ? await ReadRunAsync(path, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <inheritdoc/>
    /// <exception cref="CorruptFileException">While enumerating: a run's file cannot be read.</exception>
    public async IAsyncEnumerable<PipelineRunRecord> ListRunsAsync(string? instance = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!System.IO.Directory.Exists(RunsDirectory))
        {
            yield break;
        }

        // Run ids start with their UTC start time, so the newest sort last by name.
        var files = System.IO.Directory.GetFiles(RunsDirectory, "*" + RunSuffix);
        Array.Sort(files, StringComparer.Ordinal);
        for (var i = files.Length - 1; i >= 0; i--)
        {
            var run = await ReadRunAsync(files[i], cancellationToken).ConfigureAwait(false);
            if (instance is null || run.Instance == instance)
            {
                yield return run;
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="instance"/> or <paramref name="holder"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is under a second.</exception>
    public async ValueTask<PipelineLease> AcquireLeaseAsync(string instance, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        Guard.NotNullOrWhiteSpace(instance);
        Guard.NotNullOrWhiteSpace(holder);
        Guard.InRange(duration, TimeSpan.FromSeconds(1), TimeSpan.MaxValue);
        using var gate = await LockLeaseAsync(instance, cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        if (await ReadLeaseAsync(instance, cancellationToken).ConfigureAwait(false) is { } current && IsLive(current, now))
        {
            throw new PipelineInstanceBusyException(current);
        }

        var lease = new PipelineLease
        {
            Instance = instance,
            Holder = holder,
            Token = Guid.NewGuid().ToString("N"),
            Machine = Environment.MachineName,
            ProcessId = Environment.ProcessId,
            AcquiredAt = now,
            ExpiresAt = now + duration,
        };
        await WriteLeaseAsync(lease).ConfigureAwait(false);
        return lease;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="lease"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is under a second.</exception>
    public async ValueTask<PipelineLease> RenewLeaseAsync(PipelineLease lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(lease);
        Guard.InRange(duration, TimeSpan.FromSeconds(1), TimeSpan.MaxValue);
        using var gate = await LockLeaseAsync(lease.Instance, cancellationToken).ConfigureAwait(false);
        var current = await ReadLeaseAsync(lease.Instance, cancellationToken).ConfigureAwait(false);
        if (current is not null && current.Token != lease.Token)
        {
            throw new PipelineInstanceBusyException(current);
        }

        // Missing (deleted by hand) or still ours: write it back, since nobody else holds it.
        var renewed = lease with { ExpiresAt = DateTimeOffset.UtcNow + duration };
        await WriteLeaseAsync(renewed).ConfigureAwait(false);
        return renewed;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="lease"/> is <see langword="null"/>.</exception>
    public async ValueTask ReleaseLeaseAsync(PipelineLease lease, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(lease);
        using var gate = await LockLeaseAsync(lease.Instance, cancellationToken).ConfigureAwait(false);
        var current = await ReadLeaseAsync(lease.Instance, cancellationToken).ConfigureAwait(false);
        if (current is not null && current.Token == lease.Token)
        {
            File.Delete(LeasePath(lease.Instance));
            DirectorySync.Flush(LeasesDirectory);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="instance"/> is empty.</exception>
    public ValueTask<PipelineLease?> GetLeaseAsync(string instance, CancellationToken cancellationToken = default)
    {
        Guard.NotNullOrWhiteSpace(instance);
        return ReadLeaseAsync(instance, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="CorruptFileException">While enumerating: a checkpoint file cannot be read.</exception>
    public async IAsyncEnumerable<StoredCheckpoint> ListCheckpointsAsync(string? instance = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            yield break;
        }

        var files = System.IO.Directory.GetFiles(Directory, "*" + FileSuffix);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var path in files)
        {
            var checkpoint = await ReadCheckpointFileAsync(path, cancellationToken).ConfigureAwait(false);
            if (checkpoint.Pipeline is null || checkpoint.Partition is null || (instance is not null && checkpoint.Pipeline != instance))
            {
                continue;
            }

            yield return new StoredCheckpoint { Instance = checkpoint.Pipeline, Partition = checkpoint.Partition, Position = checkpoint.Position, CommittedAt = checkpoint.CommittedAt };
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A name is empty or white space.</exception>
    public async ValueTask<bool> ResetAsync(string instance, string partition, CancellationToken cancellationToken = default)
    {
        var path = GetPath(instance, partition);
        using var gate = await LockLeaseAsync(instance, cancellationToken).ConfigureAwait(false);
        if (await ReadLeaseAsync(instance, cancellationToken).ConfigureAwait(false) is { } current && IsLive(current, DateTimeOffset.UtcNow))
        {
            throw new PipelineInstanceBusyException(current);
        }

        await _commitLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            DirectorySync.Flush(Directory);
            return true;
        }
        finally
        {
            _commitLock.Release();
        }
    }

    // A lease is live until it expires, except that a holder on this machine whose process is gone (crashed, killed)
    // frees it at once. A process id reused by another process keeps the lease until it expires: the safe side.
    private static bool IsLive(PipelineLease lease, DateTimeOffset now)
    {
        if (lease.ExpiresAt <= now)
        {
            return false;
        }

        if (lease.ProcessId is not { } pid || lease.Machine != Environment.MachineName || pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async ValueTask<CheckpointFile> ReadCheckpointFileAsync(string path, CancellationToken cancellationToken)
    {
        var content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(content, SluiceJsonContext.Default.CheckpointFile)
                ?? throw new CorruptFileException(path, null, "the checkpoint is empty.");
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, null, "not a valid checkpoint: " + e.Message, e);
        }
    }

    private static async ValueTask<PipelineRunRecord> ReadRunAsync(string path, CancellationToken cancellationToken)
    {
        var content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(content, SluiceJsonContext.Default.PipelineRunRecord)
                ?? throw new CorruptFileException(path, null, "the run record is empty.");
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, null, "not a valid run record: " + e.Message, e);
        }
    }

    private string RunPath(string runId, string parameterName)
    {
        Guard.NotNullOrWhiteSpace(runId, parameterName);
        if (runId.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || runId.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{parameterName} '{runId}' is not a valid run id.", parameterName);
        }

        return Path.Combine(RunsDirectory, runId + RunSuffix);
    }

    private string LeasePath(string instance) => Path.Combine(LeasesDirectory, Uri.EscapeDataString(instance) + LeaseSuffix);

    private async ValueTask<PipelineLease?> ReadLeaseAsync(string instance, CancellationToken cancellationToken)
    {
        var path = LeasePath(instance);
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(content, SluiceJsonContext.Default.PipelineLease)
                ?? throw new CorruptFileException(path, null, "the lease is empty.");
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(path, null, "not a valid lease: " + e.Message + " Delete it once no run of the instance is active.", e);
        }
    }

    private ValueTask WriteLeaseAsync(PipelineLease lease)
        => DurableFile.WriteAtomicallyAsync(LeasePath(lease.Instance), JsonSerializer.SerializeToUtf8Bytes(lease, SluiceJsonContext.Default.PipelineLease));

    // Serializes read-check-write of one instance's lease between processes (and between stores of one process):
    // an exclusive OS lock, released by the OS if the process dies while holding it.
    private async ValueTask<FileStream> LockLeaseAsync(string instance, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(LeasesDirectory);
        var path = Path.Combine(LeasesDirectory, Uri.EscapeDataString(instance) + ".lock");
        var started = DateTimeOffset.UtcNow;
        while (true)
        {
            try
            {
                return new FileStream(path, DurableFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTimeOffset.UtcNow - started < s_lockWait)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
