// The quick start's main job: the legacy order import as it ran in production for months, then the same import on the
// Sluice runtime. Compare the counts: the legacy job loses orders without a word; Sluice dead-letters them with the
// error, and records how far it got. Building this project also prints Sluice's analyzer findings for the legacy code
// (SLU201 the swallowed exception that loses orders, SLU102 the whole export read into memory, SLU402 a hand-rolled retry loop).
using LegacyPipeline;

var input = Path.Combine(AppContext.BaseDirectory, "data", "orders.csv");
var output = Path.Combine(Path.GetTempPath(), "sluice-sample");

// Every run starts fresh: the checkpoint of a previous run would otherwise (rightly) make this one skip everything.
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
var checkpointDirectory = Path.Combine(output, "checkpoints");
var report = await SluiceOrderImport.RunAsync(input, Path.Combine(output, "ledger.csv"), deadLetterPath, checkpointDirectory);
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

Console.WriteLine($"  Checkpoint: {checkpointDirectory} (position {report.Checkpoint}); a rerun would resume after it.");
return report.Read == report.Succeeded + report.DeadLettered ? 0 : 1;
