using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Sluice.DeadLettering;
using Sluice.Utils;

namespace Sluice;

/// <summary>
/// A record that could not be processed, kept with everything needed to understand and replay it.
/// </summary>
public sealed record DeadLetter
{
    private static readonly JsonSerializerOptions s_payloadReadOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Gets the dead letter's identity. When the pipeline and the position (or else the key) are known it is derived from
    /// them with <see cref="IdempotencyKey.For(string, string)"/>, so the same record failing again after a restart gets the
    /// same id: append-only sinks may then hold it twice, and readers or keyed sinks deduplicate by it.
    /// Otherwise it is a random unique id.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>
    /// Gets the record itself, serialized as JSON. Files and other stores keep it as JSON (an object, not an escaped string)
    /// when it is JSON, so tools can query its fields.
    /// </summary>
    [JsonConverter(typeof(PayloadJsonConverter))]
    public required string Payload { get; init; }

    /// <summary>Gets the full name of the exception type that made the record fail.</summary>
    public required string ErrorType { get; init; }

    /// <summary>Gets the exception's message.</summary>
    public required string ErrorMessage { get; init; }

    /// <summary>Gets the exception's stack trace (with inner exceptions), if it had one.</summary>
    public string? StackTrace { get; init; }

    /// <summary>Gets how many attempts were made before giving up.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Gets the name of the pipeline the record went through, if any.</summary>
    public string? Pipeline { get; init; }

    /// <summary>Gets the partition that processed the record, if any.</summary>
    public string? Partition { get; init; }

    /// <summary>Gets the record's key (for example its partition key or primary key), if any.</summary>
    public string? Key { get; init; }

    /// <summary>Gets the record's 0-based position in its source, if known.</summary>
    public long? Position { get; init; }

    /// <summary>Gets when the record was dead-lettered.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the pipeline instance the record belongs to (<see cref="PipelineInstance.Key"/>), when a pipeline wrote it.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets the run that dead-lettered the record, when its pipeline keeps run records.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets extra facts about the failure (tenant, batch id, upstream message id...).</summary>
    public IReadOnlyDictionary<string, string>? Context { get; init; }

    /// <summary>Creates a dead letter for <paramref name="record"/> that failed with <paramref name="exception"/>.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="record">The record; it is serialized to JSON.</param>
    /// <param name="exception">Why it failed.</param>
    /// <param name="attempts">How many attempts were made: 1 or more.</param>
    /// <param name="pipeline">The pipeline name, if any.</param>
    /// <param name="partition">The partition, if any.</param>
    /// <param name="key">The record's key, if any.</param>
    /// <param name="position">The record's 0-based position in its source, if known: 0 or more.</param>
    /// <param name="context">Extra facts to keep with it.</param>
    /// <param name="payloadTypeInfo">
    /// Source-generated JSON metadata for <typeparamref name="T"/>. Required in trimmed or native AOT apps;
    /// otherwise reflection-based serialization is used.
    /// </param>
    /// <returns>The dead letter, time-stamped now (UTC) by <see cref="TimeProvider.System"/>; use <c>with { Timestamp = ... }</c> for another clock.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempts"/> is below 1 or <paramref name="position"/> is negative.</exception>
    public static DeadLetter From<T>(
        T record,
        Exception exception,
        int attempts = 1,
        string? pipeline = null,
        string? partition = null,
        string? key = null,
        long? position = null,
        IReadOnlyDictionary<string, string>? context = null,
        JsonTypeInfo<T>? payloadTypeInfo = null)
    {
        Guard.NotNull(exception);
        Guard.InRange(attempts, 1, int.MaxValue);
        if (position is { } p)
        {
            Guard.InRange(p, 0, long.MaxValue, nameof(position));
        }

        return Create(SerializePayload(record, payloadTypeInfo), exception, attempts, pipeline, partition, key, position, context, TimeProvider.System.GetUtcNow());
    }

    /// <summary>Deserializes <see cref="Payload"/> back into the record, for replay.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="typeInfo">Source-generated JSON metadata for <typeparamref name="T"/>.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    /// <exception cref="JsonException">The payload is not a valid <typeparamref name="T"/>.</exception>
    public T? PayloadAs<T>(JsonTypeInfo<T> typeInfo)
    {
        Guard.NotNull(typeInfo);
        return JsonSerializer.Deserialize(Payload, typeInfo);
    }

    /// <summary>
    /// Deserializes <see cref="Payload"/> back into the record with reflection-based System.Text.Json (web defaults:
    /// camel-case names are matched case-insensitively). In trimmed or native AOT apps, use <see cref="PayloadAs{T}(JsonTypeInfo{T})"/>.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <returns>The record.</returns>
    /// <exception cref="JsonException">The payload is not a valid <typeparamref name="T"/>.</exception>
    [RequiresUnreferencedCode("Reflection-based JSON; pass a source-generated JsonTypeInfo<T> in trimmed apps.")]
    [RequiresDynamicCode("Reflection-based JSON; pass a source-generated JsonTypeInfo<T> in native AOT apps.")]
    public T? PayloadAs<T>() => JsonSerializer.Deserialize<T>(Payload, s_payloadReadOptions);

    internal static DeadLetter Create(string payload, Exception exception, int attempts, string? pipeline, string? partition, string? key, long? position, IReadOnlyDictionary<string, string>? context, DateTimeOffset timestamp, string? instance = null, string? runId = null) => new()
    {
        // The instance key is the pipeline name when the pipeline has no input identity, so ids stay what they were.
        Id = IdentityOf(instance ?? pipeline, key, position),
        Instance = instance,
        RunId = runId,
        Payload = payload,
        ErrorType = exception.GetType().FullName ?? exception.GetType().Name,
        ErrorMessage = exception.Message,
        StackTrace = exception.ToString(),
        Attempts = attempts,
        Pipeline = pipeline,
        Partition = partition,
        Key = key,
        Position = position,
        Timestamp = timestamp,
        Context = context,
    };

    private static string IdentityOf(string? pipeline, string? key, long? position)
    {
        if (!string.IsNullOrWhiteSpace(pipeline))
        {
            if (position is { } p)
            {
                return IdempotencyKey.For(pipeline, "position:" + p.ToString(CultureInfo.InvariantCulture));
            }

            if (!string.IsNullOrWhiteSpace(key))
            {
                return IdempotencyKey.For(pipeline, "key:" + key);
            }
        }

        return Guid.NewGuid().ToString("N");
    }

    internal static string SerializePayload<T>(T record, JsonTypeInfo<T>? typeInfo)
    {
        if (typeInfo is not null)
        {
            return JsonSerializer.Serialize(record, typeInfo);
        }

        switch (record)
        {
            case null:
                return "null";
            case string text:
                return JsonSerializer.Serialize(text, SluiceJsonContext.Default.String);
        }

        if (!JsonSerializer.IsReflectionEnabledByDefault)
        {
            throw new InvalidOperationException(
                $"Cannot serialize a dead-lettered {typeof(T).FullName} because reflection-based JSON is disabled in this app; pass its source-generated JsonTypeInfo.");
        }

        try
        {
            return SerializeWithReflection(record);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            // A record that cannot be serialized must still be dead-lettered rather than lost:
            // keep its text form, which is better than nothing to a human replaying it.
            return JsonSerializer.Serialize(record.ToString() ?? string.Empty, SluiceJsonContext.Default.String);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only reached when the app keeps reflection-based JSON enabled; trimmed and AOT apps pass a JsonTypeInfo.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only reached when the app keeps reflection-based JSON enabled; trimmed and AOT apps pass a JsonTypeInfo.")]
    private static string SerializeWithReflection(object record)
        => JsonSerializer.Serialize(record, record.GetType(), JsonSerializerOptions.Default);
}
