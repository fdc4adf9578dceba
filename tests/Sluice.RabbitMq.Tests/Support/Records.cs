using System.Globalization;
using System.Text;

namespace Sluice.RabbitMq.Tests.Support;

/// <summary>The keyed records of the tests: a key, its per-key sequence number and a global message id.</summary>
internal sealed record Keyed(int Index, string Key, int Sequence)
{
    public string MessageId => "m-" + Index.ToString(CultureInfo.InvariantCulture);

    public static Keyed[] Make(int count, int keys)
    {
        var sequences = new int[keys];
        var random = new Random(count * 31 + keys);
        var records = new Keyed[count];
        for (var i = 0; i < count; i++)
        {
            var key = random.Next(keys);
            records[i] = new Keyed(i, "k" + key.ToString(CultureInfo.InvariantCulture), sequences[key]++);
        }

        return records;
    }

    public static RabbitMqPublisherOptions<Keyed> PublisherOptions(int maxOutstanding = 256) => new()
    {
        PartitionKey = r => r.Key,
        MessageId = r => r.MessageId,
        Serialize = r => Encoding.UTF8.GetBytes(r.Key + "|" + r.Sequence.ToString(CultureInfo.InvariantCulture) + "|" + r.Index.ToString(CultureInfo.InvariantCulture)),
        ContentType = "text/plain",
        MaxOutstandingConfirms = maxOutstanding,
    };

    public static (string Key, int Sequence, int Index) Parse(ReadOnlySpan<byte> body)
    {
        var parts = Encoding.UTF8.GetString(body).Split('|');
        return (parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
