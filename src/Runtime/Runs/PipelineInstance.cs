using System;
using System.Globalization;
using System.IO;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// What a run works on: a pipeline name plus the identity of its input (for example the file of the day). Checkpoints,
/// dead letters and run records belong to an instance, so a new input starts from zero while a crashed run of the same
/// input resumes after its checkpoint. Without an input identity the instance is the pipeline itself.
/// </summary>
public sealed record PipelineInstance
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="pipeline">The pipeline name; not empty.</param>
    /// <param name="input">The input's identity, or <see langword="null"/> when the pipeline always reads the same input.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="pipeline"/> or a non-null <paramref name="input"/> is empty or white space.</exception>
    public PipelineInstance(string pipeline, string? input = null)
    {
        Pipeline = Guard.NotNullOrWhiteSpace(pipeline);
        if (input is not null)
        {
            Guard.NotNullOrWhiteSpace(input);
        }

        Input = input;
    }

    /// <summary>Gets the pipeline name.</summary>
    public string Pipeline { get; }

    /// <summary>Gets the input's identity, or <see langword="null"/>.</summary>
    public string? Input { get; }

    /// <summary>
    /// Gets the key under which stores keep the instance: the pipeline name alone without an input (so checkpoints
    /// written before run identity existed still apply), otherwise <c>pipeline@input</c>.
    /// </summary>
    public string Key => Input is null ? Pipeline : Pipeline + "@" + Input;

    /// <summary>
    /// Gets the identity of a file as an input: its name, size and last write time (UTC), so a new export under the
    /// same name is a new instance while the same file read again is the same one.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>For example <c>orders.csv:104857:2026-11-30T02:00:00.0000000Z</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string FileIdentity(string path)
    {
        var fullPath = DurableFile.FullPath(path, nameof(path));
        var file = new FileInfo(fullPath);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"Cannot identify the input file '{fullPath}': it does not exist.", fullPath);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{file.Name}:{file.Length}:{file.LastWriteTimeUtc:O}");
    }

    /// <summary>Returns <see cref="Key"/>.</summary>
    /// <returns>The key.</returns>
    public override string ToString() => Key;
}
