namespace Sluice;

/// <summary>Where a run stands.</summary>
public enum PipelineRunStatus
{
    /// <summary>The run holds its instance's lease and is processing records (or crashed without recording its end).</summary>
    Running,

    /// <summary>Every record of the input succeeded or was dead-lettered.</summary>
    Completed,

    /// <summary>The run stopped on an error; finished work up to its checkpoint is kept.</summary>
    Failed,

    /// <summary>The run was canceled; finished work up to its checkpoint is kept.</summary>
    Canceled,
}
