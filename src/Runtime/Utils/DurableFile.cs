using System;
using System.IO;

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
}
