using System.Net;
using System.Text;
using DiffusionLab.StoryDiffusion;
using static TorchSharp.torch;

namespace DiffusionLab.Interactive;

/// <summary>
/// A story comic in a notebook, as an HTML string for <c>display(HTML(...))</c>: the pages inline as
/// base64 PNG, then the story's characters and a table of its panels (index, character, prompt,
/// caption). No notebook host involved, like <see cref="NotebookDisplay"/>.
/// </summary>
public static class ComicDisplay
{
    /// <summary>Renders the story's panel pictures (C,H,W) in [−1,1] as pages (<see cref="StoryComic"/>) and shows them with the tables.</summary>
    public static string Html(Story story, IReadOnlyList<Tensor> images, StoryComicOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(story);
        return Html(story, StoryComic.Render(story, images, options).Pngs);
    }

    /// <summary>Already rendered pages (PNG bytes) with the story's tables.</summary>
    public static string Html(Story story, IReadOnlyList<byte[]> pagePngs)
    {
        ArgumentNullException.ThrowIfNull(story);
        ArgumentNullException.ThrowIfNull(pagePngs);
        var html = new StringBuilder("<div>");
        html.Append($"<h4>{Enc(Path.GetFileName(story.Source))}: {story.Panels.Count} panels, {pagePngs.Count} page{(pagePngs.Count == 1 ? "" : "s")}</h4>");
        for (int i = 0; i < pagePngs.Count; i++)
            html.Append($"<figure style=\"margin:0.5em 0\"><img src=\"data:image/png;base64,{Convert.ToBase64String(pagePngs[i])}\" style=\"max-width:100%\" alt=\"page {i + 1}\"/>")
                .Append($"<figcaption>page {i + 1} of {pagePngs.Count}</figcaption></figure>");
        html.Append(CharactersTableHtml(story)).Append(PanelsTableHtml(story));
        return html.Append("</div>").ToString();
    }

    /// <summary>The characters: tag, description, reference images.</summary>
    public static string CharactersTableHtml(Story story)
    {
        ArgumentNullException.ThrowIfNull(story);
        var html = new StringBuilder("<table><thead><tr><th>character</th><th>description</th><th>reference images</th></tr></thead><tbody>");
        foreach (var c in story.Characters)
            html.Append($"<tr><td>{Enc(c.Tag)}</td><td>{Enc(c.Description)}</td><td>{Enc(string.Join(", ", c.ReferenceImages))}</td></tr>");
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>One row per panel: its number (from 1, as on the page), character, full prompt and caption.</summary>
    public static string PanelsTableHtml(Story story)
    {
        ArgumentNullException.ThrowIfNull(story);
        var html = new StringBuilder("<table><thead><tr><th>#</th><th>character</th><th>prompt</th><th>caption</th></tr></thead><tbody>");
        foreach (var p in story.Panels)
            html.Append($"<tr><td>{p.Index + 1}</td><td>{Enc(p.Character is null ? "[NC]" : $"[{p.Character}]")}</td><td>{Enc(p.Prompt)}</td><td>{Enc(p.Caption ?? "")}</td></tr>");
        return html.Append("</tbody></table>").ToString();
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
