using System;

namespace Sluice;

/// <summary>A run was refused because another run holds the instance's lease: two runs of one input never overlap.</summary>
public sealed class PipelineInstanceBusyException : InvalidOperationException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public PipelineInstanceBusyException()
        : this("The pipeline instance is being run by another holder.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What happened.</param>
    public PipelineInstanceBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineInstanceBusyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the lease that is in the way.</summary>
    /// <param name="current">The other holder's lease.</param>
    public PipelineInstanceBusyException(PipelineLease current)
        : base(
            $"Pipeline instance '{current?.Instance}' is being run by {current?.Holder} (since {current?.AcquiredAt:u}; its lease expires at {current?.ExpiresAt:u} unless renewed). " +
            "Wait for that run to finish, or, if its process is gone, run again after the lease expires; `sluice runs list` shows the instance's runs.")
    {
        Current = current;
    }

    /// <summary>Gets the lease held by the other run, when known.</summary>
    public PipelineLease? Current { get; }
}
