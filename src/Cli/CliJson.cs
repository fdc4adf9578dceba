using System.Text.Json.Serialization;

namespace Sluice.Cli;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PipelineRunRecord))]
[JsonSerializable(typeof(StoredCheckpoint))]
internal sealed partial class CliJson : JsonSerializerContext;
