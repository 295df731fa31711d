using System.Net;
using System.Text;
using DiffusionLab.Imaging;
using DiffusionLab.StoryDiffusion;
using static TorchSharp.torch;

namespace DiffusionLab.Interactive;

/// <summary>
/// Clips in a notebook or on a page, as HTML strings: an animated GIF inline as <c>&lt;img src="data:image/gif;base64,..."&gt;</c>
/// (every notebook front end and browser plays it; no host involved, like <see cref="NotebookDisplay"/>), and a story's
/// transitions: per character its keyframe panels with the clip between each two.
/// </summary>
public static class TransitionDisplay
{
    /// <summary>Frames (L, C, H, W) in [−1, 1] as an inline animated GIF, upscaled <paramref name="scale"/> times (nearest neighbour), with an optional caption.</summary>
    public static string GifHtml(Tensor frames, string? caption = null, int scale = 3, int delayMs = 120)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.dim() != 4) throw new ArgumentException($"frames: expected (L, C, H, W), got [{string.Join(", ", frames.shape)}]");
        using var scaled = Upscale(frames.cpu(), scale);
        var gif = AnimatedImageFile.Encode(scaled, AnimationFormat.Gif, new AnimationSettings { FrameDelay = TimeSpan.FromMilliseconds(delayMs) });
        return Figure(Img("image/gif", gif, caption ?? "clip"), caption);
    }

    /// <summary>Several clips side by side, each with its caption (e.g. the methods of the motion study on one transition).</summary>
    public static string GifRowHtml(IReadOnlyList<(string Caption, Tensor Frames)> clips, int scale = 3, int delayMs = 120) =>
        "<div style=\"display:flex;flex-wrap:wrap;gap:1em\">" + string.Concat(clips.Select(c => GifHtml(c.Frames, c.Caption, scale, delayMs))) + "</div>";

    /// <summary>
    /// A story's transitions: for each character a row of its keyframe panels (PNG) with the clip (GIF) between each two,
    /// <paramref name="panels"/> (P, 3, S, S) in story order.
    /// </summary>
    public static string StoryHtml(Story story, Tensor panels, IReadOnlyList<TransitionClip> clips, int scale = 3, int delayMs = 120)
    {
        ArgumentNullException.ThrowIfNull(story);
        var html = new StringBuilder($"<div><h4>{Enc(Path.GetFileName(story.Source))}: {clips.Count} transition{(clips.Count == 1 ? "" : "s")}</h4>");
        foreach (var character in clips.Select(c => c.Character).Distinct())
        {
            html.Append($"<h5>[{Enc(character)}]</h5><div style=\"display:flex;flex-wrap:wrap;align-items:center;gap:0.5em\">");
            var own = clips.Where(c => c.Character == character).ToList();
            html.Append(Panel(panels, own[0].FromPanel, scale));
            foreach (var clip in own)
                html.Append(GifHtml(clip.Frames, $"{clip.FromPanel + 1} → {clip.ToPanel + 1}", scale, delayMs)).Append(Panel(panels, clip.ToPanel, scale));
            html.Append("</div>");
        }
        return html.Append("</div>").ToString();
    }

    /// <summary>A whole HTML page around <see cref="StoryHtml"/> (what `difflab story --transitions` writes).</summary>
    public static string StoryPage(Story story, Tensor panels, IReadOnlyList<TransitionClip> clips) =>
        $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{Enc(Path.GetFileName(story.Source))}: transitions</title></head>" +
        $"<body style=\"font-family:sans-serif\">{StoryHtml(story, panels, clips)}</body></html>\n";

    private static string Panel(Tensor panels, int index, int scale)
    {
        using var image = Upscale(panels[index].unsqueeze(0).cpu(), scale);
        return Figure(Img("image/png", TensorImages.ToPng(image[0]), $"panel {index + 1}"), $"panel {index + 1}");
    }

    private static Tensor Upscale(Tensor frames, int scale) =>
        scale <= 1 ? frames.alias() : nn.functional.interpolate(frames, scale_factor: [scale, scale], mode: InterpolationMode.Nearest);

    private static string Img(string mime, byte[] bytes, string alt) =>
        $"<img src=\"data:{mime};base64,{Convert.ToBase64String(bytes)}\" alt=\"{Enc(alt)}\" style=\"image-rendering:pixelated\"/>";

    private static string Figure(string img, string? caption) =>
        $"<figure style=\"margin:0.25em;display:inline-block;text-align:center\">{img}{(caption is null ? "" : $"<figcaption>{Enc(caption)}</figcaption>")}</figure>";

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
