// Tree-shaken ECharts: only what the server detail charts use (the toolbox brings the drag-to-select zoom, mark lines draw alert thresholds).
import { GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, ToolboxComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GaugeChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, ToolboxComponent, CanvasRenderer]);

export { echarts };
