namespace DiffusionLab.Modules;

/// <summary>
/// Analytic multiply-accumulates of one forward pass per sample, in DiT's "GFLOPs" convention
/// (mdt.md §6): every Linear / patch conv and the two attention matmuls; norms, activations,
/// embedding lookups and the relative-bias add are not counted. DiT-XL/2 at 32×32: 118.62 G. Text-conditioned
/// networks add their cross-attention and text encoder.
/// </summary>
public static class ForwardMacs
{
    /// <summary>Unmasked forward (inference): DiT, MDT v1, MDTv2 (skip linears included; no side block).</summary>
    public static long Inference(DenoiserConfig config)
    {
        long t = config.NumTokens;
        long total = Stem(config) + Head(config);
        if (config.Architecture == Architecture.MdtV2)
        {
            int half = (config.Depth - config.DecodeLayer) / 2;
            total += half * Block(config, t, skip: false) + half * Block(config, t, skip: true)
                   + config.DecodeLayer * Block(config, t, skip: true);
        }
        else total += config.Depth * Block(config, t, skip: false);
        return total;
    }

    /// <summary>
    /// Masked training branch at ratio <paramref name="maskRatio"/>: encoder blocks on the
    /// floor(T·(1−r)) kept tokens, side-interpolator and decoder on all T tokens.
    /// </summary>
    public static long MaskedBranch(DenoiserConfig config, double maskRatio)
    {
        if (!config.IsMasked) throw new ArgumentException($"Architecture={config.Architecture}: no masked branch");
        long t = config.NumTokens;
        long k = (long)Math.Floor(t * (1 - maskRatio));
        long total = Stem(config) + Head(config) + Block(config, t, skip: false); // + side block
        if (config.Architecture == Architecture.MdtV2)
        {
            int half = (config.Depth - config.DecodeLayer) / 2;
            total += half * Block(config, k, skip: false) + half * Block(config, k, skip: true)
                   + config.DecodeLayer * Block(config, t, skip: true);
        }
        else total += (config.Depth - config.DecodeLayer) * Block(config, k, skip: false) + config.DecodeLayer * Block(config, t, skip: false);
        return total;
    }

    /// <summary>One adaLN-Zero block on <paramref name="tokens"/> tokens.</summary>
    public static long Block(DenoiserConfig config, long tokens, bool skip)
    {
        long d = config.HiddenSize, hidden = (long)(config.HiddenSize * config.MlpRatio);
        long modulation = d * 6 * d;                                  // per sample, not per token
        long attention = tokens * d * 3 * d + 2 * tokens * tokens * d + tokens * d * d;
        long mlp = 2 * tokens * d * hidden;
        long fusion = skip ? tokens * 2 * d * d : 0;
        long cross = 0;
        if (config.IsTextConditioned)
        {
            long l = config.TextMaxLength, dt = config.TextWidth;
            cross = tokens * d * d + l * dt * 2 * d + 2 * tokens * l * d + tokens * d * d; // q, kv, two matmuls, proj
        }
        return modulation + attention + mlp + fusion + cross;
    }

    private static long Stem(DenoiserConfig config)
    {
        long d = config.HiddenSize;
        long patch = (long)config.NumTokens * config.InChannels * config.PatchSize * config.PatchSize * d;
        long timestep = TimestepEmbedder.FrequencySize * d + d * d;
        return patch + timestep + TextEncoder(config);
    }

    /// <summary>The jointly trained text encoder over a full-length prompt (pre-LN layers, MLP ratio 4) and the pooled-text MLP.</summary>
    private static long TextEncoder(DenoiserConfig config)
    {
        if (!config.IsTextConditioned) return 0;
        long l = config.TextMaxLength, dt = config.TextWidth, d = config.HiddenSize;
        long layer = l * dt * 3 * dt + 2 * l * l * dt + l * dt * dt + 2 * l * dt * 4 * dt;
        return config.TextDepth * layer + dt * d + d * d;
    }

    private static long Head(DenoiserConfig config)
    {
        long d = config.HiddenSize;
        return d * 2 * d + (long)config.NumTokens * d * config.PatchSize * config.PatchSize * config.OutChannels;
    }
}
