using System;

namespace Sluice;

/// <summary>
/// A run was refused because the last run of its instance completed: running it again would skip every record
/// (the checkpoint covers the whole input) or, worse, look like a successful import of nothing. The message names the
/// instance and how to run it again.
/// </summary>
public sealed class PipelineInstanceCompletedException : InvalidOperationException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public PipelineInstanceCompletedException()
        : this("The pipeline instance already completed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What happened.</param>
    public PipelineInstanceCompletedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineInstanceCompletedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for <paramref name="instance"/> whose run <paramref name="lastRun"/> completed.</summary>
    /// <param name="instance">The instance key.</param>
    /// <param name="lastRun">The completed run.</param>
    public PipelineInstanceCompletedException(string instance, PipelineRunRecord lastRun)
        : base(
            $"Pipeline instance '{instance}' already completed (run {lastRun?.RunId}, ended {lastRun?.EndedAt:u}, checkpoint {lastRun?.Checkpoint}); nothing was processed. " +
            "If this is a new input, give it its own identity with ForInput(...) or ForInputFile(...). " +
            $"To process the same input again from the start, call AllowRerun() on the pipeline or reset its checkpoint: sluice checkpoints reset --instance \"{instance}\" --yes, naming the store with --store <folder> or --postgres <connection> (or SLUICE_STORE / SLUICE_POSTGRES)")
    {
        Instance = instance;
        LastRun = lastRun;
    }

    /// <summary>Gets the instance key, when known.</summary>
    public string? Instance { get; }

    /// <summary>Gets the completed run, when known.</summary>
    public PipelineRunRecord? LastRun { get; }
}
