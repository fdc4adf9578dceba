using System.Globalization;
using System.Text;

namespace Sluice.RabbitMq.Tests.Support;

/// <summary>
/// The result store of the worker tests, shared by processes: each writer appends whole batches of lines
/// (time stamp, message id, key, sequence) to its own file, flushed before the batch is acknowledged. Reading merges the
/// files by time stamp and keeps the first write of each message id, so the store is idempotent by message id.
/// </summary>
internal sealed class ResultStore(string directory)
{
    public string Directory { get; } = System.IO.Directory.CreateDirectory(directory).FullName;

    public Writer OpenWriter(string name) => new(Path.Combine(Directory, name + ".log"));

    /// <summary>The first write of each message id, in write order.</summary>
    public List<Entry> Read()
    {
        var entries = new List<Entry>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var parts = line.Split('\t');
                if (parts.Length == 4)
                {
                    // A process killed mid-write leaves at most a partial last line, never acknowledged: ignored.
                    entries.Add(new Entry(long.Parse(parts[0], CultureInfo.InvariantCulture), parts[1], parts[2], int.Parse(parts[3], CultureInfo.InvariantCulture)));
                }
            }
        }

        var seen = new HashSet<string>();
        return entries.OrderBy(e => e.Ticks).Where(e => seen.Add(e.MessageId)).ToList();
    }

    /// <summary>How many lines (duplicates included) the writers have written so far.</summary>
    public long CountLines()
    {
        long lines = 0;
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }

        return lines;
    }

    public sealed record Entry(long Ticks, string MessageId, string Key, int Sequence);

    public sealed class Writer(string path) : IDisposable
    {
        private readonly FileStream _stream = new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        private readonly object _gate = new();

        public void Write(IEnumerable<(string MessageId, string Key, int Sequence)> batch)
        {
            var text = new StringBuilder();
            foreach (var (id, key, sequence) in batch)
            {
                text.Append(DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(id).Append('\t').Append(key).Append('\t')
                    .Append(sequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            lock (_gate)
            {
                _stream.Write(bytes);
                _stream.Flush();
            }
        }

        public void Dispose() => _stream.Dispose();
    }
}
