using System.Globalization;
using Sluice;

namespace LegacyPipeline;

/// <summary>
/// The same import on the Sluice runtime: records stream through a pipeline, a record that fails goes to a dead-letter
/// file with its error instead of vanishing, and a checkpoint records how far the run got so a restart resumes there.
/// The run belongs to the instance "order-import@this file" (name, size, last write time): tomorrow's export is a new
/// instance, and importing the same file twice is refused instead of silently skipping it.
/// </summary>
public sealed class SluiceOrderImport
{
    public const string PipelineName = "order-import";

    public static async Task<PipelineReport> RunAsync(string csvPath, string ledgerPath, string deadLetterPath, string storeDirectory, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var settings = ImportSettings.Load(Path.ChangeExtension(csvPath, ".settings"));
        using var deadLetters = new JsonLinesDeadLetterSink(deadLetterPath);
        using var checkpoints = new FileCheckpointStore(storeDirectory);
        await using var ledger = new StreamWriter(ledgerPath, append: false);
        using var ledgerLock = new SemaphoreSlim(1, 1);

        var pipeline = SluicePipeline.From(SluiceFile.ReadLinesAsync(csvPath, cancellationToken).Skip(1))
            .WithName(PipelineName)
            .ForInputFile(csvPath)
            .WithParallelism(4)
            .WithDeadLetters(deadLetters)
            .WithCheckpoints(checkpoints);
        if (progress is not null)
        {
            pipeline.WithProgress(progress, TimeSpan.FromMilliseconds(100));
        }

        return await pipeline.RunAsync(
                async (line, token) =>
                {
                    var order = Order.Parse(line);
                    var entry = order.ToLedgerLine(settings.LedgerCurrency);
                    if (!await ledgerLock.WaitAsync(TimeSpan.FromSeconds(30), token))
                    {
                        throw new TimeoutException("The ledger writer was busy for 30 seconds.");
                    }

                    try
                    {
                        await ledger.WriteLineAsync(entry.AsMemory(), token);
                    }
                    finally
                    {
                        ledgerLock.Release();
                    }
                },
                cancellationToken);
    }

    /// <summary>
    /// Feeds the dead letters back through the import's own record handler (<c>dotnet run --project samples/LegacyPipeline -- replay</c>):
    /// the orders that now parse are appended to the ledger and removed from the dead-letter file, the others stay with
    /// their new error. Replay runs the job's own code, so the job offers it, not the <c>sluice</c> command.
    /// </summary>
    public static async Task<DeadLetterReplayReport> ReplayAsync(string csvPath, string deadLetterPath, string ledgerPath, CancellationToken cancellationToken = default)
    {
        var settings = ImportSettings.Load(Path.ChangeExtension(csvPath, ".settings"));
        using var deadLetters = new JsonLinesDeadLetterSink(deadLetterPath);
        await using var ledger = new StreamWriter(ledgerPath, append: true);
        return await DeadLetterReplay.ReplayAsync(
            deadLetters,
            query: null,
            async (letter, token) =>
            {
                var line = letter.PayloadAs<string>() ?? throw new InvalidDataException($"Dead letter {letter.Id} has no payload.");
                var entry = Order.Parse(line).ToLedgerLine(settings.LedgerCurrency);
                await ledger.WriteLineAsync(entry.AsMemory(), token);
            },
            cancellationToken);
    }

    /// <summary>The dead letters of the run, read back one at a time as a replay would read them.</summary>
    public static IAsyncEnumerable<DeadLetter> ReadDeadLettersAsync(string deadLetterPath)
        => DeadLetters.ReadAllAsync(deadLetterPath);

    public static string Describe(DeadLetter letter)
        => string.Create(CultureInfo.InvariantCulture, $"line {letter.Position + 2}: {letter.ErrorType.Split('.')[^1]}: {letter.ErrorMessage}  record: {letter.Payload}");
}
