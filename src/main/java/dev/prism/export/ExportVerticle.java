package dev.prism.export;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.ClusterCommand;
import dev.prism.bus.Failure;
import dev.prism.bus.SummaryCreated;
import dev.prism.bus.SummaryQuery;
import dev.prism.bus.ThemeCommand;
import dev.prism.bus.ThemeExport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exports a theme's clustering results as one file: it asks the theme, clustering and analysis features for what they
 * know (theme, clusters, each cluster's members nearest the centroid, the members' summaries), builds a
 * {@link ThemeReport} and renders it on a worker thread. Large themes are capped, not streamed: at most
 * {@value #MEMBERS_PER_CLUSTER} members per cluster (the cluster rows still give every size), and member titles are
 * looked up among the theme's newest {@value #SUMMARY_PAGES} × 1,000 summaries.
 *
 * <p>Consumes {@value Addresses#EXPORT_THEME}. Sends {@value Addresses#THEME_GET}, {@value Addresses#CLUSTER_LIST}, {@value Addresses#CLUSTER_GET}
 * and {@value Addresses#SUMMARY_LIST}.
 */
public final class ExportVerticle extends VerticleBase {

    public static final int MEMBERS_PER_CLUSTER = 1_000;
    static final int REPRESENTATIVES = 3;
    static final int SUMMARY_PAGES = 20;
    private static final int SUMMARY_PAGE = 1_000;
    private static final DeliveryOptions SLOW = new DeliveryOptions().setSendTimeout(120_000);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    @Override
    public Future<?> start() {
        vertx.eventBus().<ThemeExport>consumer(Addresses.EXPORT_THEME, this::export);
        return Future.succeededFuture();
    }

    private void export(Message<ThemeExport> msg) {
        ThemeExport request = msg.body();
        var format = ExportFormat.parse(request.format());
        if (format.isEmpty()) {
            Failure.reply(msg, new Failure(400, "invalid_format", "format must be md, ipynb, csv or json").exception());
            return;
        }
        report(request)
                .compose(report -> vertx.executeBlocking(() -> new ThemeExport.File(filename(report, format.get()), format.get().contentType,
                        render(format.get(), report)), false))
                .onSuccess(msg::reply)
                .onFailure(e -> Failure.reply(msg, e));
    }

    static byte[] render(ExportFormat format, ThemeReport report) {
        return switch (format) {
            case MD -> MarkdownExport.render(report);
            case IPYNB -> NotebookExport.render(report);
            case CSV -> CsvExport.render(report);
            case JSON -> JsonExport.render(report);
        };
    }

    /** {@code prism-<theme>-<yyyyMMdd>.<ext>}, with anything but letters, digits, dots, dashes and underscores as {@code _}. */
    static String filename(ThemeReport report, ExportFormat format) {
        return "prism-" + report.themeId().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + DAY.format(report.generatedAt()) + "." + format.extension;
    }

    private Future<ThemeReport> report(ThemeExport request) {
        String project = request.projectId();
        Links links = new Links(request.linkBase());
        Future<AnalysisTheme> theme = vertx.eventBus().<AnalysisTheme>request(Addresses.THEME_GET,
                new ThemeCommand.Get(project, request.themeId())).map(Message::body);
        return theme.compose(t -> vertx.eventBus().<ClusterCommand.Clusters>request(Addresses.CLUSTER_LIST,
                        new ClusterCommand.List(project, t.themeId()), SLOW).map(Message::body))
                .compose(list -> {
                    List<Future<ClusterCommand.Detail>> details = list.clusters().stream()
                            .map(c -> vertx.eventBus().<ClusterCommand.Detail>request(Addresses.CLUSTER_GET,
                                    new ClusterCommand.Get(project, c.clusterId(), MEMBERS_PER_CLUSTER), SLOW).map(Message::body))
                            .toList();
                    return Future.all(details).compose(all -> {
                        Set<String> wanted = new HashSet<>();
                        details.forEach(d -> d.result().members().forEach(m -> wanted.add(m.traceId())));
                        return summaries(project, theme.result().themeId(), wanted, new HashMap<>(), null, 0)
                                .map(summaries -> build(theme.result(), list, details.stream().map(Future::result).toList(), summaries, links));
                    });
                });
    }

    /** Pages through the theme's summaries, newest first, until every wanted trace has its summary or the cap is reached. */
    private Future<Map<String, SummaryCreated>> summaries(String project, String themeId, Set<String> wanted, Map<String, SummaryCreated> found,
                                                         String cursor, int page) {
        if (found.size() >= wanted.size() || page >= SUMMARY_PAGES || (page > 0 && cursor == null)) {
            return Future.succeededFuture(found);
        }
        return vertx.eventBus().<SummaryQuery.Summaries>request(Addresses.SUMMARY_LIST,
                        new SummaryQuery(project, themeId, true, null, null, SUMMARY_PAGE, cursor), SLOW)
                .compose(r -> {
                    for (SummaryCreated s : r.body().results()) {
                        if (wanted.contains(s.traceId())) {
                            found.putIfAbsent(s.traceId(), s);
                        }
                    }
                    return summaries(project, themeId, wanted, found, r.body().nextCursor(), page + 1);
                });
    }

    private static ThemeReport build(AnalysisTheme theme, ClusterCommand.Clusters list, List<ClusterCommand.Detail> details,
                                     Map<String, SummaryCreated> summaries, Links links) {
        List<ThemeReport.ClusterPart> parts = new ArrayList<>();
        for (ClusterCommand.Detail d : details) {
            ClusterCommand.Cluster c = d.cluster();
            List<ThemeReport.Member> reps = d.representatives().stream().limit(REPRESENTATIVES)
                    .map(m -> member(m, m.title(), m.summary(), links)).toList();
            List<ThemeReport.Member> members = d.members().stream().map(m -> {
                SummaryCreated s = summaries.get(m.traceId());
                return member(m, s == null ? null : s.title(), s == null ? null : s.summary(), links);
            }).toList();
            List<ThemeReport.Day> daily = c.trend().daily().stream()
                    .map(b -> new ThemeReport.Day(b.start().atZone(ZoneOffset.UTC).toLocalDate(), b.count())).toList();
            parts.add(new ThemeReport.ClusterPart(c.clusterId(), c.title(), c.description(), c.size(), c.metrics().shareOfTheme(),
                    c.lifecycle(), daily, c.trend().current(), c.trend().previous(), c.trend().growth(), c.metrics().errorRate(),
                    c.metrics().distinctUsers(), links.theme(theme.themeId()), reps, members));
        }
        return new ThemeReport(theme.projectId(), theme.themeId(), theme.name(), theme.description(), Instant.now(), list.themeMembers(),
                list.unassigned(), list.lastRun() == null ? null : list.lastRun().at(), MEMBERS_PER_CLUSTER, links.theme(theme.themeId()),
                List.copyOf(parts));
    }

    private static ThemeReport.Member member(ClusterCommand.Member m, String title, String summary, Links links) {
        return new ThemeReport.Member(m.traceId(), m.traceVersion(), Double.isNaN(m.distance()) ? null : m.distance(), m.at(), title, summary,
                links.trace(m.traceId()));
    }
}
