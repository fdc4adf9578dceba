using System.Text.Json.Serialization;

namespace Sluice.PostgreSql;

[JsonSerializable(typeof(string))]
internal sealed partial class PostgresJsonContext : JsonSerializerContext;
