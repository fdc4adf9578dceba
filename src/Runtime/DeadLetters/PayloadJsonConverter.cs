using System;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.DeadLettering;

/// <summary>
/// Stores <see cref="DeadLetter.Payload"/> as JSON itself (an object, array, number...) rather than as an escaped string, so
/// <c>jq '.payload.customer'</c> and <c>grep</c> find its fields. A payload that is a JSON string, or not JSON at all (a custom
/// serializer's text), is stored as a string, which is also how files written before this change read back.
/// </summary>
internal sealed class PayloadJsonConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        var first = FirstSignificant(value);
        if (first is '{' or '[' or '-' or (>= '0' and <= '9') or 't' or 'f' or 'n')
        {
            try
            {
                if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
                {
                    // Indented JSON would break the one-line-per-letter format: store it compact.
                    using var document = JsonDocument.Parse(value);
                    document.RootElement.WriteTo(writer);
                }
                else
                {
                    writer.WriteRawValue(value);
                }

                return;
            }
            catch (JsonException)
            {
                // Not JSON after all: keep it as text below.
            }
            catch (ArgumentException)
            {
                // Same, as WriteRawValue reports it.
            }
        }

        writer.WriteStringValue(value);
    }

    private static char FirstSignificant(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c))
            {
                return c;
            }
        }

        return '\0';
    }
}
