using System.Globalization;

namespace LegacyPipeline;

/// <summary>The import's counts, as the job reports them to the scheduler.</summary>
public sealed record ImportResult(int Read, int Written);

/// <summary>Reads the day's orders from the shop's CSV export and appends them to the finance ledger.</summary>
public sealed class OrderImportJob
{
    private readonly SummaryNotifier _notifier = new();

    public ImportResult Run(string csvPath, string ledgerPath)
    {
        var settings = ImportSettings.Load(Path.ChangeExtension(csvPath, ".settings"));
        var read = 0;
        var written = 0;

        using var ledger = new StreamWriter(ledgerPath, append: false);
        foreach (var line in File.ReadAllLines(csvPath).Skip(1))
        {
            read++;
            try
            {
                var order = Order.Parse(line);
                ledger.WriteLine(order.ToLedgerLine(settings.LedgerCurrency));
                written++;
            }
            catch (Exception)
            {
                // Bad rows are rare; keep the import going.
                continue;
            }
        }

        _notifier.Send(read, written);
        return new ImportResult(read, written);
    }
}

/// <summary>One line of the shop's export.</summary>
public sealed record Order(long Id, string Customer, decimal Amount, string Currency, DateTimeOffset PlacedAt)
{
    public static Order Parse(string line)
    {
        var fields = line.Split(',');
        return new Order(
            long.Parse(fields[0], CultureInfo.InvariantCulture),
            fields[1],
            decimal.Parse(fields[2], NumberStyles.Number, CultureInfo.InvariantCulture),
            fields[3],
            DateTimeOffset.Parse(fields[4], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    public string ToLedgerLine(string ledgerCurrency)
        => string.Create(CultureInfo.InvariantCulture, $"{Id};{Customer};{ExchangeRates.Convert(Amount, Currency, ledgerCurrency):F2};{ledgerCurrency};{PlacedAt:O}");
}

/// <summary>Optional per-feed settings; most feeds run on the defaults.</summary>
public sealed record ImportSettings(string LedgerCurrency)
{
    private static readonly ImportSettings Defaults = new("EUR");

    public static ImportSettings Load(string path)
    {
        try
        {
            return new ImportSettings(File.ReadAllText(path).Trim());
        }
        catch (FileNotFoundException)
        {
            // A deliberate fallback for a specific, expected failure: Sluice stays silent here.
            return Defaults;
        }
    }
}

public static class ExchangeRates
{
    private static readonly Dictionary<string, decimal> ToEur = new()
    {
        ["EUR"] = 1.00m,
        ["USD"] = 0.86m,
        ["GBP"] = 1.15m,
    };

    public static decimal Convert(decimal amount, string from, string to)
        => amount * ToEur[from] / ToEur[to];
}

/// <summary>Tells the finance team the import ran.</summary>
public sealed class SummaryNotifier
{
    public void Send(int read, int written)
    {
        try
        {
            // The webhook drops a message now and then; try a few times.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    Post($"Order import finished: {written} orders booked.");
                    return;
                }
                catch (HttpRequestException) when (attempt < 3)
                {
                    Thread.Sleep(50 * attempt);
                }
            }
        }
        catch
        {
        }
    }

    private static void Post(string message)
        => throw new HttpRequestException($"The chat webhook is not configured; message not sent: {message}");
}
