using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Sluice.Utils;

/// <summary>File settings shared by everything Sluice persists: owner-only permissions on creation.</summary>
internal static class DurableFile
{
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static FileStreamOptions CreateOptions(FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = 0 };

        // Dead letters carry record payloads; other users on the machine must not read them.
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open && mode != FileMode.Truncate)
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        return options;
    }

    public static void CreateOwnerOnlyDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerReadWrite | UnixFileMode.UserExecute);
        }
    }

    public static string FullPath(string path, string parameterName)
    {
        Guard.NotNullOrWhiteSpace(path, parameterName);
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"{parameterName} is not a valid path: {e.Message}", parameterName, e);
        }
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>: a temporary file, flushed, renamed over it, then the directory flushed.</summary>
    public static async ValueTask WriteAtomicallyAsync(string path, byte[] content)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, CreateOptions(FileMode.CreateNew, FileAccess.Write, FileShare.None)))
            {
                await stream.WriteAsync(content, CancellationToken.None).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            DirectorySync.Flush(directory);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // The write's own failure is the one worth reporting.
            }

            throw;
        }
    }
}
