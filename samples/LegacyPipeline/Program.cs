// The quick start's main job: the legacy order import as it ran in production for months, then the same import on the
// Sluice runtime. Compare the counts: the legacy job loses orders without a word; Sluice dead-letters them with the
// error, and records how far it got. Building this project also prints Sluice's analyzer findings for the legacy code
// (SLU201 the swallowed exception that loses orders, SLU102 the whole export read into memory, SLU402 a hand-rolled retry loop).
using LegacyPipeline;
using Sluice;

var input = Path.Combine(AppContext.BaseDirectory, "data", "orders.csv");
var output = Path.Combine(Path.GetTempPath(), "sluice-sample");

// `-- replay`: what an on-call engineer runs after fixing the cause (src/Runtime/README.md, Runbook): the last run's dead
// letters go back through the import's handler; those that succeed leave the dead-letter file, the others stay.
if (args is ["replay"])
{
    var deadLetterFile = Path.Combine(output, "dead-letters.jsonl");
    if (!File.Exists(deadLetterFile))
    {
        Console.Error.WriteLine($"No dead letters at {deadLetterFile}: run the sample first (dotnet run --project samples/LegacyPipeline).");
        return 2;
    }

    var replay = await SluiceOrderImport.ReplayAsync(input, deadLetterFile, Path.Combine(output, "ledger.csv"));
    Console.WriteLine($"Replay: {replay.Succeeded} succeeded (appended to the ledger, removed from {deadLetterFile}), {replay.Failed.Count} failed again (kept):");
    foreach (var failure in replay.Failed)
    {
        Console.WriteLine($"  {SluiceOrderImport.Describe(failure.DeadLetter)}");
    }

    return replay.Failed.Count == 0 ? 0 : 1;
}

// Every run of the sample starts fresh: Sluice would otherwise (rightly) refuse to import the same export a second time.
if (Directory.Exists(output))
{
    Directory.Delete(output, recursive: true);
}

Directory.CreateDirectory(output);

var legacy = new OrderImportJob().Run(input, Path.Combine(output, "legacy-ledger.csv"));
Console.WriteLine($"Legacy import: read {legacy.Read} orders, wrote {legacy.Written}.");
Console.WriteLine(legacy.Read == legacy.Written
    ? "  Every order arrived."
    : $"  {legacy.Read - legacy.Written} orders vanished: no exception, no log line, nothing to replay.");
Console.WriteLine("  Why: Sluice's SLU201 warning in the build output points at the catch block that swallowed them;");
Console.WriteLine("  SLU102 and SLU402 point at the export read whole into memory and the hand-rolled retry loop");
Console.WriteLine("  (to see them again: dotnet build samples/LegacyPipeline --no-incremental).");
Console.WriteLine();

var deadLetterPath = Path.Combine(output, "dead-letters.jsonl");
var storeDirectory = Path.Combine(output, "store");
// A progress bar in a terminal, plain progress lines when the output goes to a file or a pipe. The bar's end is the
// export's row count, counted by streaming over the file (one line in memory at a time), header excluded.
var rows = File.ReadLines(input).LongCount() - 1;
var report = await ProgressDisplay.RunAsync(
    rows,
    progress => SluiceOrderImport.RunAsync(input, Path.Combine(output, "ledger.csv"), deadLetterPath, storeDirectory, progress));
Console.WriteLine($"Sluice import: read {report.Read}, succeeded {report.Succeeded}, dead-lettered {report.DeadLettered}, retried {report.Retried}, in {report.Elapsed.TotalMilliseconds:F0} ms.");
foreach (var partition in report.Partitions)
{
    Console.WriteLine($"  partition {partition.Partition}: read {partition.Read}, succeeded {partition.Succeeded}, dead-lettered {partition.DeadLettered}");
}

Console.WriteLine($"  Dead letters: {deadLetterPath}");
await foreach (var letter in SluiceOrderImport.ReadDeadLettersAsync(deadLetterPath))
{
    Console.WriteLine($"    {SluiceOrderImport.Describe(letter)}");
}

Console.WriteLine($"  Checkpoint: position {report.Checkpoint} of instance {report.Instance}, run {report.RunId}, in {storeDirectory}.");

// The same export again: refused, never a silent "read 0".
try
{
    await SluiceOrderImport.RunAsync(input, Path.Combine(output, "ledger-again.csv"), deadLetterPath, storeDirectory);
    Console.WriteLine("  The second import of the same file ran: that should not happen.");
    return 1;
}
catch (PipelineInstanceCompletedException refused)
{
    Console.WriteLine($"  Importing the same file again is refused: {refused.Message}");
}

Console.WriteLine();
Console.WriteLine("Inspect the run with the sluice command (dotnet run --project src/Cli -- <command>, or `sluice` once installed):");
Console.WriteLine($"  sluice runs list --store {storeDirectory}");
Console.WriteLine($"  sluice dead-letters list --store {storeDirectory} --instance \"{report.Instance}\"");
Console.WriteLine($"  sluice dead-letters show <id> --store {storeDirectory}");
Console.WriteLine($"  sluice dead-letters export --store {storeDirectory} --instance \"{report.Instance}\" -o dead-letters.jsonl");
Console.WriteLine("Replay them through the import once the cause is fixed: dotnet run --project samples/LegacyPipeline -- replay");
return report.Read == report.Succeeded + report.DeadLettered ? 0 : 1;
