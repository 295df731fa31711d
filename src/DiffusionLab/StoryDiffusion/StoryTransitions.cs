using DiffusionLab.Imaging;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// StoryDiffusion's long videos (storydiffusion.md §4: "chain transitions between consecutive consistent keyframes"):
/// for every character, a transition clip between each pair of its consecutive panels, the earlier panel's prompt as the
/// clip's prompt; and a sheet that shows each transition as a row: the first keyframe, the clip's frames, the last keyframe.
/// </summary>
public static class StoryTransitions
{
    /// <summary>(character, from, to) for each pair of consecutive panels of one character, in the story's character order.</summary>
    public static IReadOnlyList<(string Character, int From, int To)> Pairs(Story story)
    {
        ArgumentNullException.ThrowIfNull(story);
        return story.Characters.SelectMany(c =>
        {
            var panels = story.PanelsOf(c.Name);
            return panels.Zip(panels.Skip(1), (a, b) => (c.Name, a.Index, b.Index));
        }).ToList();
    }

    /// <summary>
    /// The transitions of a generated story whose panels are (P, 3, S, S) in story order, clip k from seed
    /// <paramref name="seed"/> + k·L (see <see cref="TransitionPipeline"/>); panels of another side than the motion model's are resized.
    /// </summary>
    public static IReadOnlyList<TransitionClip> Generate(TransitionPipeline pipeline, Story story, Tensor panels, ClipSampling sampling, long seed,
        KeyframeConditioning? mode = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (panels.dim() != 4 || panels.shape[0] != story.Panels.Count)
            throw new ArgumentException($"panels: expected ({story.Panels.Count}, 3, S, S), one per panel of '{story.Source}', got [{string.Join(", ", panels.shape)}]");
        var clips = new List<TransitionClip>();
        try
        {
            var keyframes = panels.shape[2] == pipeline.ImageSize ? panels.alias()
                : nn.functional.interpolate(panels, [pipeline.ImageSize, pipeline.ImageSize], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
            using (keyframes)
            {
                int k = 0;
                foreach (var (character, from, to) in Pairs(story))
                {
                    progress?.Report($"transition {character}: panel {from + 1} -> {to + 1}");
                    using var clip = pipeline.Generate(keyframes[from], keyframes[to], [story.Panels[from].Prompt], seed + (long)k++ * pipeline.Frames, sampling, mode);
                    clips.Add(new TransitionClip(character, from, to, clip[0].DetachFromDisposeScope()));
                }
            }
            return clips;
        }
        catch
        {
            foreach (var c in clips) c.Dispose();
            throw;
        }
    }

    /// <summary>One row per transition: the first keyframe panel, the clip's L frames, the last keyframe panel (a PNG).</summary>
    public static byte[] SheetPng(Tensor panels, IReadOnlyList<TransitionClip> clips, int scale = 2)
    {
        if (clips.Count == 0) throw new ArgumentException("no transitions: the story has no character with two or more panels");
        using var scope = NewDisposeScope();
        int side = (int)clips[0].Frames.shape[2];
        Tensor Fit(Tensor image) => image.shape[2] == side ? image
            : nn.functional.interpolate(image.unsqueeze(0), [side, side], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true)[0];
        var rows = clips.Select(c => cat([Fit(panels[c.FromPanel]).unsqueeze(0), c.Frames.cpu(), Fit(panels[c.ToPanel]).unsqueeze(0)], 0)).ToList();
        int columns = (int)rows[0].shape[0];
        if (rows.Any(r => r.shape[0] != columns)) throw new ArgumentException("transitions of different lengths: one sheet needs one L");
        return ImageGrid.ToPng(cat(rows, 0), columns, padding: 2, scale: scale);
    }
}
