using System.Collections.Generic;
using System.Text.Json.Serialization;
using Sluice.Checkpoints;

namespace Sluice.Utils;

/// <summary>Source-generated JSON metadata for everything Sluice writes, so the package stays AOT-compatible.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DeadLetter))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(CheckpointFile))]
[JsonSerializable(typeof(PipelineRunRecord))]
[JsonSerializable(typeof(PipelineLease))]
internal sealed partial class SluiceJsonContext : JsonSerializerContext;
