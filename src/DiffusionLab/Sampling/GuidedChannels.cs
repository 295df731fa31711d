using System.Text.Json.Serialization;

namespace DiffusionLab.Sampling;

/// <summary>Which ε channels classifier-free guidance mixes; the remaining output channels pass through. The JSON words are the config file's.</summary>
public enum GuidedChannels
{
    /// <summary>Every ε channel (the textbook rule).</summary>
    [JsonStringEnumMemberName("all")] All = 0,

    /// <summary>Channels 0..2 only: official DiT/MDT <c>forward_with_cfg</c> (DiT issue #41), kept for parity.</summary>
    [JsonStringEnumMemberName("first3")] FirstThree = 1,
}
