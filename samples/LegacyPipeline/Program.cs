// The legacy order import, as it ran in production for months. Run it and compare the counts:
// orders vanish, and nothing says so. Sluice's SLU201 warnings in the build output point at why.
using LegacyPipeline;

var input = Path.Combine(AppContext.BaseDirectory, "data", "orders.csv");
var outputDirectory = Path.Combine(Path.GetTempPath(), "sluice-sample");
Directory.CreateDirectory(outputDirectory);
var ledger = Path.Combine(outputDirectory, "ledger.csv");

var result = new OrderImportJob().Run(input, ledger);

Console.WriteLine($"Legacy order import: read {result.Read} orders, wrote {result.Written} to {ledger}");
Console.WriteLine(result.Read == result.Written
    ? "Every order arrived."
    : $"{result.Read - result.Written} orders vanished: no exception, no log line, nothing to replay.");
Console.WriteLine("Why: build the job and read Sluice's findings (SLU201, exception swallowed):");
Console.WriteLine("  dotnet build samples/LegacyPipeline --no-incremental");
Console.WriteLine("Each finding links to its docs page; the code fix rethrows or logs and rethrows.");
return 0;
