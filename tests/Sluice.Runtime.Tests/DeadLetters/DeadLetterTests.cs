using System.Text.Json;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.DeadLetters;

public class DeadLetterTests
{
    [Fact]
    public void From_captures_the_record_the_failure_and_where_it_happened()
    {
        var before = DateTimeOffset.UtcNow;
        Exception error;
        try
        {
            throw new InvalidOperationException("customer unknown");
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }

        var letter = DeadLetter.From(new Order(7, "ada", 12.5m), error, attempts: 3, pipeline: "orders", partition: "2", key: "ada", position: 41,
            context: new Dictionary<string, string> { ["tenant"] = "eu" });

        var payload = JsonSerializer.Deserialize<Order>(letter.Payload);
        Assert.Equal(new Order(7, "ada", 12.5m), payload);
        Assert.Equal("System.InvalidOperationException", letter.ErrorType);
        Assert.Equal("customer unknown", letter.ErrorMessage);
        Assert.Contains(nameof(From_captures_the_record_the_failure_and_where_it_happened), letter.StackTrace, StringComparison.Ordinal);
        Assert.Equal(3, letter.Attempts);
        Assert.Equal("orders", letter.Pipeline);
        Assert.Equal("2", letter.Partition);
        Assert.Equal("ada", letter.Key);
        Assert.Equal(41, letter.Position);
        Assert.Equal("eu", letter.Context!["tenant"]);
        Assert.InRange(letter.Timestamp, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public void The_id_is_stable_for_the_same_record_of_the_same_pipeline_and_unique_otherwise()
    {
        var error = new FormatException();
        Assert.Equal(DeadLetter.From(1, error, pipeline: "p", position: 3).Id, DeadLetter.From(1, new TimeoutException(), pipeline: "p", position: 3).Id);
        Assert.NotEqual(DeadLetter.From(1, error, pipeline: "p", position: 3).Id, DeadLetter.From(1, error, pipeline: "p", position: 4).Id);
        Assert.NotEqual(DeadLetter.From(1, error, pipeline: "p", position: 3).Id, DeadLetter.From(1, error, pipeline: "q", position: 3).Id);
        Assert.Equal(DeadLetter.From(1, error, pipeline: "p", key: "k").Id, DeadLetter.From(2, error, pipeline: "p", key: "k").Id);
        Assert.NotEqual(DeadLetter.From(1, error).Id, DeadLetter.From(1, error).Id);
        Assert.False(string.IsNullOrEmpty(DeadLetter.From(1, error).Id));
    }

    [Fact]
    public void Strings_and_nulls_become_valid_json_payloads()
    {
        Assert.Equal("a \"quoted\" line", JsonSerializer.Deserialize<string>(DeadLetter.From("a \"quoted\" line", new FormatException()).Payload));
        Assert.Equal("null", DeadLetter.From<Order?>(null, new FormatException()).Payload);
    }

    [Fact]
    public void From_rejects_bad_arguments_by_name()
    {
        Assert.Equal("exception", Assert.Throws<ArgumentNullException>(() => DeadLetter.From(1, null!)).ParamName);
        Assert.Equal("attempts", Assert.Throws<ArgumentOutOfRangeException>(() => DeadLetter.From(1, new FormatException(), attempts: 0)).ParamName);
        Assert.Equal("position", Assert.Throws<ArgumentOutOfRangeException>(() => DeadLetter.From(1, new FormatException(), position: -1)).ParamName);
    }
}

public class JsonLinesDeadLetterSinkTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static DeadLetter Letter(int id, string? secret = null) =>
        DeadLetter.From(new Order(id, secret ?? "c" + id, id), new InvalidOperationException("failed " + id), position: id);

    [Fact]
    public async Task Written_dead_letters_are_read_back_in_order()
    {
        var path = _temp.File("dead.jsonl");
        using var sink = new JsonLinesDeadLetterSink(path);
        var written = Enumerable.Range(0, 5).Select(i => Letter(i)).ToList();
        await sink.WriteAsync(written.Take(2).ToList());
        await sink.WriteAsync(written.Skip(2).ToList());

        var read = await global::Sluice.DeadLetters.ReadAsync(path).ToListAsync();

        Assert.Equal(written.Select(d => (d.Id, d.Payload, d.ErrorType, d.ErrorMessage, d.Position, d.Timestamp, d.StackTrace)),
            read.Select(d => (d.Id, d.Payload, d.ErrorType, d.ErrorMessage, d.Position, d.Timestamp, d.StackTrace)));
        Assert.Equal(5, File.ReadAllLines(path).Length);
    }

    [Fact]
    public async Task A_single_dead_letter_can_be_written_from_a_catch_block()
    {
        var path = _temp.File("single.jsonl");
        using var sink = new JsonLinesDeadLetterSink(path);
        var order = new Order(5, "x", 1);
        try
        {
            throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException e)
        {
            await sink.WriteAsync(DeadLetter.From(order, e, pipeline: "import"));
        }

        var read = Assert.Single(await global::Sluice.DeadLetters.ReadAsync(path).ToListAsync());
        Assert.Equal("import", read.Pipeline);
        Assert.Equal("boom", read.ErrorMessage);
        Assert.Equal("deadLetter", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await sink.WriteAsync((DeadLetter)null!))).ParamName);
        Assert.Equal("sink", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await SluiceDeadLetterSinkExtensions.WriteAsync(null!, read))).ParamName);
    }

    [Fact]
    public async Task Concurrent_writers_never_interleave_lines()
    {
        var path = _temp.File("concurrent.jsonl");
        using var sink = new JsonLinesDeadLetterSink(path);
        await Parallel.ForEachAsync(Enumerable.Range(0, 40), async (writer, token) =>
            await sink.WriteAsync(Enumerable.Range(writer * 10, 10).Select(i => Letter(i)).ToList(), token));

        var read = await global::Sluice.DeadLetters.ReadAsync(path).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long?)i), read.Select(d => d.Position).Order());
    }

    [Fact]
    public async Task The_file_and_a_folder_it_creates_are_accessible_to_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Path.Combine(_temp.Path, "new-folder", "private.jsonl");
        using var sink = new JsonLinesDeadLetterSink(path);
        await sink.WriteAsync([Letter(1)]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task Files_rotate_by_size_and_read_all_returns_every_dead_letter_oldest_first()
    {
        var path = _temp.File("rotating.jsonl");
        using var sink = new JsonLinesDeadLetterSink(path, new JsonLinesDeadLetterSinkOptions { MaxFileSizeBytes = 2048 });
        for (var i = 0; i < 30; i++)
        {
            await sink.WriteAsync([Letter(i)]);
        }

        Assert.True(File.Exists(path + ".1"));
        Assert.True(File.Exists(path + ".2"));
        Assert.All(Directory.GetFiles(_temp.Path), file => Assert.InRange(new FileInfo(file).Length, 1, 2048));
        var read = await global::Sluice.DeadLetters.ReadAllAsync(path).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long?)i), read.Select(d => d.Position));
    }

    [Fact]
    public async Task The_redaction_hook_runs_before_anything_is_written()
    {
        var path = _temp.File("redacted.jsonl");
        using var sink = new JsonLinesDeadLetterSink(path, new JsonLinesDeadLetterSinkOptions
        {
            Redact = d => d with { Payload = d.Payload.Replace("4111-1111", "****", StringComparison.Ordinal) },
        });
        await sink.WriteAsync([Letter(1, secret: "card 4111-1111")]);

        var text = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("4111-1111", text, StringComparison.Ordinal);
        var read = Assert.Single(await global::Sluice.DeadLetters.ReadAsync(path).ToListAsync());
        Assert.Contains("card ****", read.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_line_is_reported_with_file_and_line_number()
    {
        var path = _temp.File("corrupt.jsonl");
        using var sink = new JsonLinesDeadLetterSink(path);
        await sink.WriteAsync([Letter(1)]);
        await File.AppendAllTextAsync(path, "{\"payload\": not json\n");
        await sink.WriteAsync([Letter(3)]);

        var seen = new List<DeadLetter>();
        var error = await Assert.ThrowsAsync<CorruptFileException>(async () =>
        {
            await foreach (var letter in global::Sluice.DeadLetters.ReadAsync(path))
            {
                seen.Add(letter);
            }
        });

        Assert.Single(seen);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_missing_required_fields_is_corrupt()
    {
        var path = _temp.File("partial.jsonl");
        await File.WriteAllTextAsync(path, "{\"errorType\":\"X\"}\n");
        var error = await Assert.ThrowsAsync<CorruptFileException>(async () => await global::Sluice.DeadLetters.ReadAsync(path).ToListAsync());
        Assert.Equal(1, error.LineNumber);
    }

    [Fact]
    public async Task A_torn_last_line_from_a_crash_does_not_swallow_the_next_write()
    {
        var path = _temp.File("torn.jsonl");
        await File.WriteAllTextAsync(path, "{\"payload\":\"tor");
        using var sink = new JsonLinesDeadLetterSink(path);
        await sink.WriteAsync([Letter(9)]);

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(2, lines.Length);
        var error = await Assert.ThrowsAsync<CorruptFileException>(async () => await global::Sluice.DeadLetters.ReadAsync(path).ToListAsync());
        Assert.Equal(1, error.LineNumber);
        Assert.Equal(9, JsonSerializer.Deserialize<DeadLetter>(lines[1], new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Position);
    }

    [Fact]
    public async Task Bad_arguments_are_rejected_by_name()
    {
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => new JsonLinesDeadLetterSink(null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => new JsonLinesDeadLetterSink(" ")).ParamName);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new JsonLinesDeadLetterSink(_temp.File("x"), new JsonLinesDeadLetterSinkOptions { MaxFileSizeBytes = 10 }));
        Assert.Equal("options.MaxFileSizeBytes", range.ParamName);
        using var sink = new JsonLinesDeadLetterSink(_temp.File("y"));
        Assert.Equal("deadLetters", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await sink.WriteAsync(null!))).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => global::Sluice.DeadLetters.ReadAsync(null!)).ParamName);
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await global::Sluice.DeadLetters.ReadAsync(_temp.File("missing")).ToListAsync());
    }
}
