using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.DeadLetters;

public class SynchronousWriteTests
{
    [Fact]
    public async Task Write_stores_the_dead_letter_durably_before_returning()
    {
        using var directory = new TempDirectory();
        var path = directory.File("sync.jsonl");
        using (var sink = new JsonLinesDeadLetterSink(path))
        {
            sink.Write(DeadLetter.From("100137,C-0042,12O.50", new FormatException("bad amount"), key: "100137"));
        }

        var letters = new List<DeadLetter>();
        await foreach (var letter in Sluice.DeadLetters.ReadAsync(path))
        {
            letters.Add(letter);
        }

        var stored = Assert.Single(letters);
        Assert.Equal("\"100137,C-0042,12O.50\"", stored.Payload);
        Assert.Equal("System.FormatException", stored.ErrorType);
        Assert.Equal("100137", stored.Key);
    }

    [Fact]
    public void Write_surfaces_the_sink_failure_and_checks_its_arguments()
    {
        var failing = new RecordingDeadLetterSink { FailWith = new IOException("disk full") };
        var letter = DeadLetter.From(1, new InvalidOperationException("x"));

        Assert.Equal("disk full", Assert.Throws<IOException>(() => failing.Write(letter)).Message);
        Assert.Equal("sink", Assert.Throws<ArgumentNullException>(() => SluiceDeadLetterSinkExtensions.Write(null!, letter)).ParamName);
        Assert.Equal("deadLetter", Assert.Throws<ArgumentNullException>(() => failing.Write(null!)).ParamName);
    }
}
